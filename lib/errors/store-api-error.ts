/**
 * The error types a {@link CustomerStore} (or any of the app's own routes) may throw to get one
 * of the documented responses. They are the xclade/Medusa Store API error types.
 *
 * @example
 * ```ts
 * const type: StoreApiErrorType = row.deleted_at ? "not_allowed" : "unexpected_state";
 * throw new StoreApiError(type, "This account cannot sign in.");
 * ```
 */
export type StoreApiErrorType =
  | "not_allowed"
  | "invalid_data"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "duplicate_error"
  | "database_error"
  | "unexpected_state";

const TYPES: ReadonlySet<string> = new Set<StoreApiErrorType>([
  "not_allowed",
  "invalid_data",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "duplicate_error",
  "database_error",
  "unexpected_state",
]);

/**
 * Options of {@link StoreApiError}.
 *
 * @example
 * ```ts
 * throw new StoreApiError("not_allowed", "Your cart is locked.", { code: "cart_locked", cause: dbError });
 * ```
 */
export interface StoreApiErrorOptions {
  /** A machine-readable code sent as `code` where the documented shape has one. */
  code?: string;
  /** The underlying error, kept for logs; never sent. */
  cause?: unknown;
}

/**
 * An error whose `message` is public by design: {@link errorHandler} sends it to the client in
 * the documented shape for its `type`. Use it for what the store *chose* to say; any other
 * error's message never reaches a response.
 *
 * @example
 * ```ts
 * const customers: CustomerStore = {
 *   async retrieve(id) {
 *     const row = await db.customer.find(id);
 *     if (row?.blocked) throw new StoreApiError("not_allowed", "This account is blocked.");
 *     return row;
 *   },
 * };
 * ```
 */
export class StoreApiError extends Error {
  override readonly name = "StoreApiError";
  readonly type: StoreApiErrorType;
  readonly code: string | undefined;

  constructor(type: StoreApiErrorType, message: string, options: StoreApiErrorOptions = {}) {
    if (!TYPES.has(type)) {
      throw new TypeError(`StoreApiError: unknown type ${JSON.stringify(type)}`);
    }
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.type = type;
    this.code = options.code;
  }
}

/**
 * True for a {@link StoreApiError}, also one from another copy of this package.
 *
 * @example
 * ```ts
 * if (isStoreApiError(err) && err.type === "not_found") return null;
 * ```
 */
export function isStoreApiError(error: unknown): error is StoreApiError {
  return (
    error instanceof StoreApiError ||
    (error instanceof Error &&
      error.name === "StoreApiError" &&
      TYPES.has((error as { type?: unknown }).type as string))
  );
}
