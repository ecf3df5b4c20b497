import type { TracingChannel } from "node:diagnostics_channel";
import type { SessionEvent } from "../events.js";
import {
  cartTransferChannel,
  forwardChannel,
  refreshChannel,
  revocationChannel,
  sessionEndChannel,
  sessionStartChannel,
  signInChannel,
  tokenRefreshChannel,
  type CartTransferMessage,
  type ForwardMessage,
  type RefreshMessage,
} from "./channels.js";

// The hot path's side of the channels. Every function checks `hasSubscribers` before it builds
// anything, as undici and fastify do: with nobody listening a call costs a property read.

/**
 * True when something listens on a channel that session events feed. Code that builds an event
 * only for listeners (`if (observed) report(...)`) includes this, read at the time of the event:
 * a subscriber may arrive after the router was created.
 *
 * @example
 * ```ts
 * if (this.observed || isObserved()) this.report({ type: "session.created", sessionId, customerId });
 * ```
 */
export function isObserved(): boolean {
  return (
    sessionStartChannel.hasSubscribers ||
    sessionEndChannel.hasSubscribers ||
    signInChannel.hasSubscribers ||
    revocationChannel.hasSubscribers ||
    tokenRefreshChannel.hasSubscribers
  );
}

/**
 * Publishes a session event on the plain channels it maps to (`createReporter` calls it for
 * every event). Events that no channel carries (`token.rejected`, `store.error`, …) cost a switch.
 *
 * @example
 * ```ts
 * publishEvent({ type: "signin.limited", by: "ip", retryAfter: 60 }); // bff-session:signin, outcome "limited"
 * ```
 */
export function publishEvent(event: SessionEvent): void {
  switch (event.type) {
    case "cart.transferred":
      return publishCartTransfer(() => ({ outcome: "transferred" }));
    case "cart.transfer_failed":
      return publishCartTransfer(() => ({ outcome: "failed", reason: event.reason }));
    case "cart.restored":
      return publishCartTransfer(() => ({ outcome: "restored" }));
    case "session.created":
      if (sessionStartChannel.hasSubscribers) {
        sessionStartChannel.publish({ sessionId: event.sessionId, customerId: event.customerId });
      }
      return;
    case "session.destroyed":
      if (sessionEndChannel.hasSubscribers) {
        sessionEndChannel.publish({
          reason: event.reason,
          count: 1,
          sessionId: event.sessionId,
          customerId: event.customerId,
        });
      }
      if (event.reason === "revoked" && revocationChannel.hasSubscribers) {
        revocationChannel.publish({
          scope: "session",
          count: 1,
          sessionId: event.sessionId,
          customerId: event.customerId,
        });
      }
      if (
        (event.reason === "password_changed" || event.reason === "customer_deleted") &&
        revocationChannel.hasSubscribers
      ) {
        revocationChannel.publish({
          scope: "session",
          count: 1,
          reason: event.reason,
          sessionId: event.sessionId,
          customerId: event.customerId,
        });
      }
      if (event.reason === "customer_changed" && tokenRefreshChannel.hasSubscribers) {
        tokenRefreshChannel.publish({ outcome: "refused" });
      }
      return;
    case "session.expired":
      if (sessionEndChannel.hasSubscribers) {
        sessionEndChannel.publish({
          reason: event.kind,
          count: 1,
          sessionId: event.sessionId,
          customerId: event.customerId,
        });
      }
      return;
    case "session.revoked":
      if (sessionEndChannel.hasSubscribers && event.count > 0) {
        sessionEndChannel.publish({
          reason: "revoked",
          count: event.count,
          customerId: event.customerId,
        });
      }
      if (revocationChannel.hasSubscribers) {
        revocationChannel.publish({
          scope: "customer",
          count: event.count,
          customerId: event.customerId,
        });
      }
      return;
    case "signin.succeeded":
      if (signInChannel.hasSubscribers) {
        signInChannel.publish({
          outcome: "allowed",
          pending: event.pending,
          sessionId: event.sessionId,
          customerId: event.customerId,
        });
      }
      return;
    case "signin.failed":
      if (signInChannel.hasSubscribers) {
        signInChannel.publish({ outcome: "refused", status: event.status });
      }
      return;
    case "signin.limited":
      if (signInChannel.hasSubscribers) {
        signInChannel.publish({ outcome: "limited", by: event.by, retryAfter: event.retryAfter });
      }
      return;
    case "token.refreshed":
      if (tokenRefreshChannel.hasSubscribers) tokenRefreshChannel.publish({ outcome: "refreshed" });
      return;
    case "upstream.error":
      if (event.operation === "refresh" && tokenRefreshChannel.hasSubscribers) {
        tokenRefreshChannel.publish({ outcome: "failed" });
      }
      return;
    default:
      return;
  }
}

/**
 * Runs `fn`, the call that forwards a request to the backend, on the `bff-session:forward`
 * tracing channel. With a subscriber, `message()` is called once and `fn` gets the message: send
 * `message.headers` (a subscriber may have added trace context to them) and set
 * `message.statusCode` when the backend answers. Without one, neither is built: `fn()` runs bare
 * and must build its headers itself.
 *
 * @example
 * ```ts
 * const headers = requestHeaders(req.headers, token, publishableKey);
 * await traceForward(
 *   () => ({ method: req.method, family: routeFamily(path), route: lowCardinalityRoute(path), headers }),
 *   (message) =>
 *     client.stream({ path, method, headers, body, signal }, ({ statusCode }) => {
 *       if (message) message.statusCode = statusCode;
 *       return res;
 *     }),
 * );
 * ```
 */
export function traceForward<T>(
  message: () => ForwardMessage,
  fn: (message?: ForwardMessage) => Promise<T>,
): Promise<T> {
  return traced(forwardChannel, message, fn);
}

/**
 * As `traceForward`, for the call to `POST /auth/token/refresh` on the `bff-session:refresh`
 * tracing channel: set `message.outcome` before the promise settles.
 *
 * @example
 * ```ts
 * const answer = await traceRefresh(
 *   () => ({ headers }),
 *   async (message) => {
 *     const answer = await client.refresh(token, headers);
 *     if (message) message.outcome = answer.token !== undefined ? "refreshed" : answer.status === 401 ? "refused" : "failed";
 *     return answer;
 *   },
 * );
 * ```
 */
export function traceRefresh<T>(
  message: () => RefreshMessage,
  fn: (message?: RefreshMessage) => Promise<T>,
): Promise<T> {
  return traced(refreshChannel, message, fn);
}

/**
 * `fn` bare without a subscriber; else traced, its message built once and passed in. What `fn`
 * resolves never becomes the message's `result` (tracePromise would put it there): a refresh
 * resolves the new token, a sign-in's answer holds one.
 */
function traced<M extends object, T>(
  channel: TracingChannel<unknown, M>,
  message: () => M,
  fn: (message?: M) => Promise<T>,
): Promise<T> {
  return channel.hasSubscribers ? tracedWith(channel, message(), fn) : fn();
}

// Not async: a call that throws before it starts still throws, and ends as `end` after `error`.
function tracedWith<M extends object, T>(
  channel: TracingChannel<unknown, M>,
  context: M,
  fn: (message?: M) => Promise<T>,
): Promise<T> {
  let value: T;
  const call = (m: M) =>
    fn(m).then((resolved) => {
      value = resolved;
    });
  return channel.tracePromise(call, context, undefined, context).then(() => value);
}

/**
 * Publishes what became of a guest cart at sign-in (the cart feature calls it).
 *
 * @example
 * ```ts
 * publishCartTransfer(() => ({ outcome: "failed", reason: "cart_completed" }));
 * ```
 */
export function publishCartTransfer(message: () => CartTransferMessage): void {
  if (cartTransferChannel.hasSubscribers) cartTransferChannel.publish(message());
}
