import diagnosticsChannel from "node:diagnostics_channel";
import type { DestroyReason } from "../events.js";

/**
 * The names of the `node:diagnostics_channel` channels bff-session publishes on. The plain
 * channels carry one message per event; `forward` and `refresh` are `TracingChannel`s around
 * each call to the commerce backend (subscribe with `diagnostics_channel.tracingChannel(name)`;
 * the underlying channels are `tracing:bff-session:forward:start`, `…:end`, `…:asyncStart`,
 * `…:asyncEnd` and `…:error`). Nothing is built or published while a channel has no subscriber.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from "node:diagnostics_channel";
 * import { CHANNELS, type SignInMessage } from "bff-session";
 *
 * diagnosticsChannel.subscribe(CHANNELS.signIn, (message) => {
 *   const { outcome } = message as SignInMessage;
 *   if (outcome === "limited") alerts.bump("signin_limited");
 * });
 * ```
 */
export const CHANNELS = Object.freeze({
  sessionStart: "bff-session:session:start",
  sessionEnd: "bff-session:session:end",
  signIn: "bff-session:signin",
  revocation: "bff-session:revocation",
  tokenRefresh: "bff-session:token:refresh",
  cartTransfer: "bff-session:cart:transfer",
  forward: "bff-session:forward",
  refresh: "bff-session:refresh",
} as const);

/**
 * `bff-session:session:start`: a session began (a sign-in or `POST /auth/session`). Ids are the
 * store key (a hash, never the cookie's token) and the customer id: fit for an audit log, never
 * for a metric attribute.
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.sessionStart, (m) => audit.log("login", (m as SessionStartMessage).customerId));
 * ```
 */
export interface SessionStartMessage {
  sessionId: string;
  customerId: string;
}

/**
 * Why sessions ended: the `session.destroyed` reasons, `idle` and `absolute` for expiry, and
 * `revoked` for `revokeSession()` and `revokeCustomerSessions()`.
 *
 * @example
 * ```ts
 * const signedOut = (reason: SessionEndReason) => reason === "logout";
 * ```
 */
export type SessionEndReason = DestroyReason | "idle" | "absolute";

/**
 * `bff-session:session:end`: `count` sessions ended for `reason` (1, except for
 * `revokeCustomerSessions()`, which ends many at once and names no session).
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.sessionEnd, (m) => {
 *   const { reason, count } = m as SessionEndMessage;
 *   ended.add(count, { reason });
 * });
 * ```
 */
export interface SessionEndMessage {
  reason: SessionEndReason;
  count: number;
  sessionId?: string;
  customerId?: string;
}

/**
 * `bff-session:signin`: a sign-in attempt and its outcome. `allowed`: the backend accepted it and
 * a session began (`pending` when its token names no customer yet); `refused`: the backend said
 * no (`status`); `limited`: refused with 429 before reaching the backend (`by`).
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.signIn, (m) => console.log((m as SignInMessage).outcome));
 * ```
 */
export type SignInMessage =
  | { outcome: "allowed"; pending: boolean; sessionId: string; customerId: string }
  | { outcome: "refused"; status: number }
  | { outcome: "limited"; by: "identifier" | "ip"; retryAfter: number };

/**
 * `bff-session:revocation`: sessions ended from elsewhere: one (`scope: "session"`,
 * `revokeSession()`, and each session an account change ends: `reason` `password_changed` or
 * `customer_deleted`) or all of a customer's (`scope: "customer"`, `revokeCustomerSessions()`).
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.revocation, (m) => audit.log("revoked", m as RevocationMessage));
 * ```
 */
export interface RevocationMessage {
  scope: "session" | "customer";
  count: number;
  /** Set when an account change ended the session. */
  reason?: "password_changed" | "customer_deleted";
  customerId?: string;
  sessionId?: string;
}

/**
 * `bff-session:token:refresh`: what came of exchanging a kept token at the backend.
 * `refreshed`: a new token is kept; `refused`: the backend's new token named another customer
 * (the session ends); `failed`: the backend could not be used (the old token stays in use).
 * The timing of each call is on the `bff-session:refresh` tracing channel.
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.tokenRefresh, (m) => console.log((m as TokenRefreshMessage).outcome));
 * ```
 */
export interface TokenRefreshMessage {
  outcome: "refreshed" | "refused" | "failed";
}

/**
 * `bff-session:cart:transfer`: a guest cart and a sign-in: moved to the customer, failed, or
 * the customer's remembered cart restored (the `cart.*` session events).
 *
 * @example
 * ```ts
 * diagnosticsChannel.subscribe(CHANNELS.cartTransfer, (m) => console.log((m as CartTransferMessage).outcome));
 * ```
 */
export interface CartTransferMessage {
  outcome: "transferred" | "failed" | "restored";
  reason?: string;
}

/**
 * The context of one call on the `bff-session:forward` tracing channel: a request forwarded to
 * the backend. `headers` are the outgoing request's headers: a `start` subscriber may add to
 * them (`traceparent`, `tracestate`) and they are sent. `statusCode` is set once the backend
 * answered; `error` (set by the channel) when the call failed.
 *
 * @example
 * ```ts
 * diagnosticsChannel.tracingChannel(CHANNELS.forward).subscribe({
 *   start(m) { (m as ForwardMessage).headers["x-request-start"] = String(Date.now()); },
 *   asyncEnd(m) { console.log((m as ForwardMessage).route, (m as ForwardMessage).statusCode); },
 *   end() {}, asyncStart() {}, error() {},
 * });
 * ```
 */
export interface ForwardMessage {
  method: string;
  family: "store" | "auth";
  /** Low cardinality: ids replaced by `:id` (see `lowCardinalityRoute`), no query string. */
  route: string;
  /**
   * Headers to add to the backend call: empty when published; a `start` subscriber may add
   * trace context. None of the request's own headers (credentials, cookies) are here, and a
   * name the BFF already sends is not replaced.
   */
  headers: Record<string, string | string[]>;
  statusCode?: number;
  error?: unknown;
}

/**
 * The context of one call on the `bff-session:refresh` tracing channel: a kept token exchanged at
 * the backend's `POST /auth/token/refresh`. `outcome` is set before the call settles; `skipped`
 * when another request or instance held the refresh.
 *
 * @example
 * ```ts
 * diagnosticsChannel.tracingChannel(CHANNELS.refresh).subscribe({
 *   asyncEnd(m) { console.log((m as RefreshMessage).outcome); },
 *   start() {}, end() {}, asyncStart() {}, error() {},
 * });
 * ```
 */
export interface RefreshMessage {
  /** As `ForwardMessage.headers`: empty when published, for trace context to be added. */
  headers: Record<string, string | string[]>;
  outcome?: "refreshed" | "refused" | "failed" | "skipped";
  error?: unknown;
}

export const sessionStartChannel = diagnosticsChannel.channel(CHANNELS.sessionStart);
export const sessionEndChannel = diagnosticsChannel.channel(CHANNELS.sessionEnd);
export const signInChannel = diagnosticsChannel.channel(CHANNELS.signIn);
export const revocationChannel = diagnosticsChannel.channel(CHANNELS.revocation);
export const tokenRefreshChannel = diagnosticsChannel.channel(CHANNELS.tokenRefresh);
export const cartTransferChannel = diagnosticsChannel.channel(CHANNELS.cartTransfer);
export const forwardChannel = diagnosticsChannel.tracingChannel<unknown, ForwardMessage>(
  CHANNELS.forward,
);
export const refreshChannel = diagnosticsChannel.tracingChannel<unknown, RefreshMessage>(
  CHANNELS.refresh,
);
