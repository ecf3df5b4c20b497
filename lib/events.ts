import type { TokenRejectionReason } from "./errors/internal-errors.js";

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
      reason: "logout" | "replaced" | "customer_gone";
    }
  | { type: "session.revoked"; customerId: string; count: number }
  | { type: "session.expired"; sessionId: string; customerId: string; kind: "idle" | "absolute" }
  | { type: "token.rejected"; reason: TokenRejectionReason }
  | { type: "csrf.rejected"; method: string; detail: string }
  | { type: "store.error"; operation: string; error: unknown };

/**
 * A pino/bunyan/console-compatible logger. Silent by default.
 *
 * @example
 * ```ts
 * import pino from "pino";
 * createSessionRouter({ keys, customers, logger: pino({ level: "warn" }) });
 * ```
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = Object.freeze({ debug() {}, warn() {}, error() {} });

/**
 * Builds the one function the router reports through; a throwing listener never breaks a
 * request. Without a logger nothing is formatted: reporting is free on the hot path.
 */
export function createReporter(
  onEvent: ((event: SessionEvent) => void) | undefined,
  logger: Logger | undefined,
): (event: SessionEvent) => void {
  if (logger === undefined && onEvent === undefined) return () => {};
  return function report(event) {
    if (logger !== undefined) log(logger, event);
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (err) {
      logger?.warn({ err }, "bff-session: onEvent listener threw");
    }
  };
}

function log(logger: Logger, event: SessionEvent): void {
  if (event.type === "store.error") {
    const { operation, error } = event;
    logger.error({ event: event.type, operation, err: error }, "bff-session: session store failed");
  } else {
    logger.debug({ ...event }, `bff-session: ${event.type}`);
  }
}
