import type { TokenRejectionReason } from "./errors/errors.js";
import type { Logger } from "./logger.js";
import { publishEvent } from "./observability/publish.js";

/**
 * Why a session was ended before its time.
 *
 * @example
 * ```ts
 * const byUser = (reason: DestroyReason) => reason === "logout" || reason === "revoked";
 * ```
 */
export type DestroyReason =
  | "logout"
  | "replaced"
  | "customer_gone"
  /** The customer signed in once more than `session.maxPerCustomer` allows. */
  | "limit"
  /** `revokeSession()`: signed out from another device. */
  | "revoked"
  /** The backend answered 401 to the kept token (revoked or expired there). */
  | "upstream_unauthorized"
  /** A refreshed token named another customer. */
  | "customer_changed"
  /** The account's password was updated through the BFF (the reset flow's last step). */
  | "password_changed"
  /** The customer was deleted in the backend (the back-channel, `bff-session/medusa`). */
  | "customer_deleted";

/**
 * What happened, for metrics and audit logs. Events carry ids only: never a token, a cookie
 * value or claims. `sessionId` is the store key (a hash), safe to log.
 *
 * @example
 * ```ts
 * createSessionRouter({
 *   keys,
 *   customers,
 *   onEvent(event) {
 *     if (event.type === "token.rejected") metrics.increment("bff.token_rejected", { reason: event.reason });
 *   },
 * });
 * ```
 */
export type SessionEvent =
  | { type: "session.created"; sessionId: string; customerId: string }
  | {
      type: "session.destroyed";
      sessionId: string;
      customerId: string | undefined;
      reason: DestroyReason;
    }
  | { type: "session.revoked"; customerId: string; count: number }
  | { type: "session.expired"; sessionId: string; customerId: string; kind: "idle" | "absolute" }
  | { type: "token.rejected"; reason: TokenRejectionReason }
  | { type: "csrf.rejected"; method: string; detail: string }
  | { type: "store.error"; operation: string; error: unknown }
  /** The customer store failed on the server's side (a 5xx): backend down, misconfigured. */
  | { type: "customer.error"; error: unknown }
  /** The kept token was exchanged for a fresh one at the backend. */
  | { type: "token.refreshed"; sessionId: string; customerId: string }
  /** A call to the commerce backend failed: forwarding (with the status sent) or a refresh. */
  | {
      type: "upstream.error";
      operation: "forward" | "refresh" | "sign-in";
      status?: number;
      error: unknown;
    }
  /** A sign-in began a session: `pending` when its token names no customer yet (registration, MFA). */
  | { type: "signin.succeeded"; sessionId: string; customerId: string; pending: boolean }
  /** The backend refused a password sign-in (counted against `upstream.signInLimits`). */
  | { type: "signin.failed"; status: number }
  /** A sign-in was refused with 429 before reaching the backend: too many failures. */
  | { type: "signin.limited"; by: "identifier" | "ip"; retryAfter: number }
  /** At sign-in, the browser's guest cart became the customer's (`upstream`); it stays current. */
  | { type: "cart.transferred"; sessionId: string; customerId: string }
  /**
   * At sign-in, the browser's guest cart could not become the customer's; the sign-in went on
   * and the guest cart is forgotten. `not_found`: the backend has no such cart; `completed`:
   * it is an order already; `another_customer`: it belongs to another customer (never taken
   * over); `refused`: the backend refused the transfer; `unavailable`: the backend or the
   * session store could not be used.
   */
  | {
      type: "cart.transfer_failed";
      sessionId: string;
      customerId: string;
      reason: CartTransferFailure;
    }
  /** At sign-in, without a guest cart with items, the customer's remembered cart came back. */
  | { type: "cart.restored"; sessionId: string; customerId: string };

/**
 * Why a guest cart did not become the customer's at sign-in (`cart.transfer_failed`).
 *
 * @example
 * ```ts
 * onEvent(event) {
 *   if (event.type === "cart.transfer_failed") metrics.increment("bff.cart_lost", { reason: event.reason });
 * }
 * ```
 */
export type CartTransferFailure =
  "not_found" | "completed" | "another_customer" | "refused" | "unavailable";

/**
 * Builds the one function the router reports through: to the diagnostics channels, the logger and
 * `onEvent`. Nothing a listener does breaks a request or the process: a throw or a rejected
 * promise is logged as a warning. Debug lines are built
 * only for a logger the app gave, so reporting costs nothing on the hot path otherwise.
 */
export function createReporter(
  onEvent: ((event: SessionEvent) => unknown) | undefined,
  logger: Logger,
  logDebug: boolean,
): (event: SessionEvent) => void {
  const listenerFailed = (err: unknown) =>
    logger.warn({ err }, "bff-session: onEvent listener threw");
  return function report(event) {
    // The diagnostics channels (and OpenTelemetry through them): nothing built without a subscriber.
    publishEvent(event);
    if (event.type === "store.error") {
      const { operation, error } = event;
      logger.error(
        { event: event.type, operation, err: error },
        "bff-session: session store failed",
      );
    } else if (logDebug) {
      logger.debug({ ...event }, `bff-session: ${event.type}`);
    }
    if (onEvent === undefined) return;
    try {
      const result = onEvent(event);
      if (isThenable(result)) result.then(undefined, listenerFailed);
    } catch (err) {
      listenerFailed(err);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
