/**
 * The errors bff-session raises itself. Each has a stable `code` (as jose's errors do) and keeps
 * the real reason as `cause`, for logs; what the client sees is decided by `renderError()` alone.
 */

/**
 * The base of every error bff-session raises. Match on `code`, not on the message.
 *
 * @example
 * ```ts
 * onEvent(event) {
 *   if (event.type === "upstream.error" && event.error instanceof BffSessionError) {
 *     metrics.increment("bff.upstream_errors", { code: event.error.code });
 *   }
 * }
 * ```
 */
export class BffSessionError extends Error {
  /** A stable, machine-readable code, e.g. `BFF_UPSTREAM_TIMEOUT`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Why a bearer token was refused. Sent to `onEvent`/logs, never to the client.
 *
 * @example
 * ```ts
 * onEvent(event) {
 *   if (event.type === "token.rejected" && event.reason === "expired") metrics.increment("bff.expired_tokens");
 * }
 * ```
 */
export type TokenRejectionReason =
  | "missing"
  | "malformed"
  | "too_large"
  | "algorithm"
  | "signature"
  | "expired"
  | "not_yet_valid"
  | "claim"
  | "actor_type"
  | "actor_id"
  | "replayed"
  /** A stand-in that is not this session's, used already, or past its time. */
  | "stand_in"
  | "invalid";

/** The token was refused: always a generic 401. */
export class TokenRejectedError extends BffSessionError {
  constructor(
    readonly reason: TokenRejectionReason,
    options?: { cause?: unknown },
  ) {
    super("BFF_TOKEN_REJECTED", `bearer token rejected: ${reason}`, options);
  }
}

/**
 * No live session, or the session just ended (the customer is gone, the backend refused its
 * token): a generic 401. With `clearCookie`, the answer also clears the session cookie.
 */
export class NoSessionError extends BffSessionError {
  readonly clearCookie: boolean;
  constructor(
    readonly detail: string,
    options: { clearCookie?: boolean } = {},
  ) {
    super("BFF_NO_SESSION", `no live session: ${detail}`);
    this.clearCookie = options.clearCookie ?? false;
  }
}

/** The session store failed (threw, timed out): the documented 500 `database_error`. */
export class SessionStoreError extends BffSessionError {
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super("BFF_STORE_FAILED", `session store ${operation} failed`, options);
  }
}

/**
 * The key source could not produce keys (a JWKS endpoint is down): a 500, not the client's fault.
 *
 * @example
 * ```ts
 * const keys: KeySource = {
 *   algorithms: ["ES256"],
 *   async getKeys(header) {
 *     try {
 *       return [await kms.publicKey(header.kid)];
 *     } catch (cause) {
 *       throw new KeySourceUnavailableError({ cause, retryAfter: 10 }); // 500 + Retry-After, not 401
 *     }
 *   },
 * };
 * ```
 */
export class KeySourceUnavailableError extends BffSessionError {
  /** Seconds after which a retry may succeed, sent as `Retry-After`. */
  readonly retryAfter: number;
  constructor(options: { cause?: unknown; retryAfter?: number } = {}) {
    super("BFF_KEYS_UNAVAILABLE", "key source unavailable", { cause: options.cause });
    this.retryAfter = options.retryAfter ?? 30;
  }
}

/** A cross-site state-changing request (CSRF defence), or a sign-in not begun here: 403. */
export class CrossSiteRequestError extends BffSessionError {
  constructor(readonly detail: string) {
    super("BFF_CROSS_SITE", `cross-site request refused: ${detail}`);
  }
}

/** Too many failed sign-ins for one account or IP: 429 with `Retry-After`. */
export class AttemptsLimitedError extends BffSessionError {
  constructor(
    readonly by: "identifier" | "ip",
    /** Seconds. */
    readonly retryAfter: number,
  ) {
    super("BFF_ATTEMPTS_LIMITED", `too many sign-in attempts (${by})`);
  }
}

/**
 * What went wrong with the commerce backend, and the status the browser gets for it.
 *
 * @example
 * ```ts
 * const code: UpstreamErrorCode = "BFF_UPSTREAM_TIMEOUT"; // 504
 * ```
 */
export type UpstreamErrorCode =
  /** Not reachable (refused, reset, DNS): 502. */
  | "BFF_UPSTREAM_UNREACHABLE"
  /** No answer within `upstream.timeout`: 504. */
  | "BFF_UPSTREAM_TIMEOUT"
  /** No free connection within `upstream.queueTimeout`: 503 with `Retry-After`. */
  | "BFF_UPSTREAM_BUSY"
  /** An answer the BFF must read but cannot: too large, compressed, not JSON: 502. */
  | "BFF_UPSTREAM_BAD_ANSWER";

/**
 * A call to the commerce backend failed: 502, 503 or 504, one shape, never internals.
 *
 * @example
 * ```ts
 * onEvent(event) {
 *   if (event.type === "upstream.error" && event.error instanceof UpstreamError) {
 *     metrics.increment("bff.backend_failures", { code: event.error.code, status: event.error.status });
 *   }
 * }
 * ```
 */
export class UpstreamError extends BffSessionError {
  declare readonly code: UpstreamErrorCode;
  /** The HTTP status the browser gets: 502, 503 or 504. */
  readonly status: number;
  constructor(code: UpstreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = STATUS[code];
  }
}

/**
 * What was wrong with a request body the BFF reads before forwarding it.
 *
 * @example
 * ```ts
 * const code: RequestBodyErrorCode = "BFF_BODY_TOO_LARGE"; // 413
 * ```
 */
export type RequestBodyErrorCode =
  /** Larger than `upstream.maxBodySize`: 413. */
  | "BFF_BODY_TOO_LARGE"
  /** Not sent whole within `upstream.clientBodyTimeout`: 408. */
  | "BFF_BODY_TIMEOUT"
  /** A sign-in body that is not UTF-8 JSON (or a form): 400. */
  | "BFF_BODY_UNREADABLE"
  /** A sign-in body with a `Content-Encoding`: 415. */
  | "BFF_BODY_ENCODED";

/**
 * A request body refused before anything was forwarded: 413, 408, 400 or 415, with
 * `{ message, type: "invalid_data" }`.
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (err instanceof RequestBodyError) log.info({ code: err.code }, "refused body");
 *   next(err);
 * });
 * ```
 */
export class RequestBodyError extends BffSessionError {
  declare readonly code: RequestBodyErrorCode;
  /** The HTTP status the browser gets: 413, 408, 400 or 415. */
  readonly status: number;
  constructor(code: RequestBodyErrorCode, message: string) {
    super(code, message);
    this.status = STATUS[code];
  }
}

/** The status each code of the two families answers with. */
const STATUS: Record<UpstreamErrorCode | RequestBodyErrorCode, number> = {
  BFF_UPSTREAM_UNREACHABLE: 502,
  BFF_UPSTREAM_TIMEOUT: 504,
  BFF_UPSTREAM_BUSY: 503,
  BFF_UPSTREAM_BAD_ANSWER: 502,
  BFF_BODY_TOO_LARGE: 413,
  BFF_BODY_TIMEOUT: 408,
  BFF_BODY_UNREADABLE: 400,
  BFF_BODY_ENCODED: 415,
};
