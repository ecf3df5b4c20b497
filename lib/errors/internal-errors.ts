/**
 * Errors bff-session raises itself. Each carries the real reason as `cause` (for logs); what
 * the client sees is decided by `renderError()` alone.
 */

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
export class TokenRejectedError extends Error {
  override readonly name = "TokenRejectedError";
  constructor(
    readonly reason: TokenRejectionReason,
    options?: { cause?: unknown },
  ) {
    super(`bearer token rejected: ${reason}`, options);
  }
}

/** The session store failed (threw, timed out): the documented 500 `database_error`. */
export class SessionStoreError extends Error {
  override readonly name = "SessionStoreError";
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`session store ${operation} failed`, options);
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
export class KeySourceUnavailableError extends Error {
  override readonly name = "KeySourceUnavailableError";
  /** Seconds after which a retry may succeed, sent as `Retry-After`. */
  readonly retryAfter: number;
  constructor(options: { cause?: unknown; retryAfter?: number } = {}) {
    super("key source unavailable", { cause: options.cause });
    this.retryAfter = options.retryAfter ?? 30;
  }
}

/** A cross-site state-changing request (CSRF defence): 403 `forbidden`. */
export class CrossSiteRequestError extends Error {
  override readonly name = "CrossSiteRequestError";
  constructor(readonly detail: string) {
    super(`cross-site request refused: ${detail}`);
  }
}

/** No live session (or the session's customer is gone): a generic 401. */
export class NoSessionError extends Error {
  override readonly name = "NoSessionError";
  constructor(readonly detail: string) {
    super(`no live session: ${detail}`);
  }
}
