import diagnosticsChannel from "node:diagnostics_channel";
import {
  CHANNELS,
  forwardChannel,
  refreshChannel,
  type SessionEndMessage,
  type SignInMessage,
} from "./channels.js";
import { loadOtelApi, type OtelApi } from "./otel-api.js";
import { instrumentsOf, routeBound } from "./otel-metrics.js";
import { forwardTracing, refreshTracing, type TracingHandlers } from "./otel-tracing.js";

// Distinct `http.route` values recorded before the rest are `_OTHER`.
const MAX_ROUTES = 200;

let enabling: Promise<boolean> | undefined;
let unsubscribe: (() => void) | undefined;
let optedOut = false;

/**
 * Records bff-session's channels as OpenTelemetry metrics and spans, through the app's
 * `@opentelemetry/api` (an optional peer dependency). Resolves to `true` once subscribed, `false`
 * when the app does not have the API. Idempotent. `createSessionRouter` calls it for you; call it
 * yourself to wait for it, or after `disableOpenTelemetry()`.
 *
 * Nothing is exported anywhere by this: the app's SDK (`NodeSDK`, or its own providers) decides
 * that. Without an SDK the API is a no-op and so is the recording.
 *
 * @example
 * ```ts
 * import { enableOpenTelemetry } from "bff-session";
 * if (!(await enableOpenTelemetry())) console.warn("@opentelemetry/api is not installed");
 * ```
 */
export function enableOpenTelemetry(): Promise<boolean> {
  optedOut = false;
  if (enabling !== undefined) return enabling;
  const attempt: Promise<boolean> = loadOtelApi().then((api) => {
    // Disabled while the API was loading: stay off.
    if (api === undefined || enabling !== attempt) return false;
    unsubscribe = subscribeAll(api);
    return true;
  });
  enabling = attempt;
  return attempt;
}

/**
 * Stops recording bff-session's channels in OpenTelemetry, including the automatic start by
 * `createSessionRouter`. For an app that has `@opentelemetry/api` (perhaps through another
 * dependency) and wants none of this package's telemetry.
 *
 * @example
 * ```ts
 * import { disableOpenTelemetry } from "bff-session";
 * disableOpenTelemetry();
 * ```
 */
export function disableOpenTelemetry(): void {
  optedOut = true;
  enabling = undefined;
  unsubscribe?.();
  unsubscribe = undefined;
}

/**
 * What `createSessionRouter` calls: `enableOpenTelemetry()` unless the app opted out. Cheap when
 * the API is absent (one failed resolution per process) and after the first call (a flag).
 */
export function startTelemetry(): void {
  if (optedOut || enabling !== undefined) return;
  void enableOpenTelemetry();
}

function subscribeAll(api: OtelApi): () => void {
  const instruments = instrumentsOf(api);
  // Recording must never reach a request: diagnostics_channel turns a subscriber's throw into an
  // uncaught exception. The API does not throw; an SDK or exporter might.
  const guard =
    <M>(record: (message: M) => void) =>
    (message: unknown): void => {
      try {
        record(message as M);
      } catch (err) {
        api.diag.error("bff-session: recording telemetry failed", err);
      }
    };
  const plain: [string, (message: unknown) => void][] = [
    [
      CHANNELS.sessionStart,
      guard(() => {
        const { active, started } = instruments();
        active.add(1);
        started.add(1);
      }),
    ],
    [
      CHANNELS.sessionEnd,
      guard(({ reason, count }: SessionEndMessage) => {
        const { active, ended } = instruments();
        active.add(-count);
        ended.add(count, { "bff.session.end_reason": reason });
      }),
    ],
    [
      CHANNELS.signIn,
      guard((message: SignInMessage) => {
        instruments().signInAttempts.add(1, { "bff.signin.outcome": message.outcome });
      }),
    ],
  ];
  for (const [name, handler] of plain) diagnosticsChannel.subscribe(name, handler);

  const forward = guarded(forwardTracing(api, instruments, routeBound(MAX_ROUTES)), guard);
  const refresh = guarded(refreshTracing(api, instruments), guard);
  forwardChannel.subscribe(forward);
  refreshChannel.subscribe(refresh);

  return function unsubscribeAll() {
    for (const [name, handler] of plain) diagnosticsChannel.unsubscribe(name, handler);
    forwardChannel.unsubscribe(forward);
    refreshChannel.unsubscribe(refresh);
  };
}

function guarded<M extends object>(
  handlers: TracingHandlers<M>,
  guard: (record: (message: M) => void) => (message: unknown) => void,
): TracingHandlers<M> {
  return {
    start: guard(handlers.start),
    end: guard(handlers.end),
    asyncStart: guard(handlers.asyncStart),
    asyncEnd: guard(handlers.asyncEnd),
    error: guard(handlers.error),
  };
}
