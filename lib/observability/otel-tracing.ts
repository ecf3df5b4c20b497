import type { Attributes, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import type { ForwardMessage, RefreshMessage } from "./channels.js";
import type { OtelApi } from "./otel-api.js";
import { errorType, knownMethod, SCOPE, statusClass, type Instruments } from "./otel-metrics.js";

interface Pending {
  span: Span;
  startedAt: number;
  failed: boolean;
}

/** The five handlers of a `TracingChannel` subscription. */
export interface TracingHandlers<M extends object> {
  start(message: M): void;
  end(message: M): void;
  asyncStart(message: M): void;
  asyncEnd(message: M): void;
  error(message: M): void;
}

/**
 * Span and duration around a call to the backend. At `start`: a CLIENT span, child of whatever
 * span is active (the incoming request's, under an HTTP instrumentation), and its W3C trace
 * context injected into the outgoing headers, so one trace runs browser → BFF → backend. The
 * call is over at `asyncEnd`, or at `end` after an `error` (`fn` threw before it returned a
 * promise): then the span ends and the duration is recorded.
 */
function tracing<M extends { headers: Record<string, string | string[]> }>(
  api: OtelApi,
  describe: {
    name(message: M): string;
    attributes(message: M): Attributes;
    finish(message: M, pending: Pending, seconds: number): void;
  },
): TracingHandlers<M> {
  const tracer = currentTracer(api);
  const pending = new WeakMap<M, Pending>();
  const finish = (message: M, entry: Pending) => {
    pending.delete(message);
    describe.finish(message, entry, (performance.now() - entry.startedAt) / 1000);
    entry.span.end();
  };
  return {
    start(message) {
      const parent = api.context.active();
      const span = tracer().startSpan(
        describe.name(message),
        { kind: api.SpanKind.CLIENT, attributes: describe.attributes(message) },
        parent,
      );
      api.propagation.inject(api.trace.setSpan(parent, span), message.headers);
      pending.set(message, { span, startedAt: performance.now(), failed: false });
    },
    end(message) {
      const entry = pending.get(message);
      if (entry?.failed === true) finish(message, entry);
    },
    asyncStart() {},
    asyncEnd(message) {
      const entry = pending.get(message);
      if (entry !== undefined) finish(message, entry);
    },
    error(message) {
      const entry = pending.get(message);
      if (entry !== undefined) entry.failed = true;
    },
  };
}

/**
 * The tracer of the provider registered now. A tracer taken once would keep the provider it first
 * delegated to even after `trace.disable()` and a new registration (tests, an SDK restarted).
 */
function currentTracer(api: OtelApi): () => Tracer {
  let provider: TracerProvider | undefined;
  let tracer: Tracer | undefined;
  return () => {
    const now = api.trace.getTracerProvider();
    if (tracer === undefined || now !== provider) {
      provider = now;
      tracer = now.getTracer(SCOPE);
    }
    return tracer;
  };
}

/** The `bff-session:forward` handlers: `bff.forward.duration` and a span per forwarded request. */
export function forwardTracing(
  api: OtelApi,
  instruments: () => Instruments,
  boundedRoute: (route: string) => string,
): TracingHandlers<ForwardMessage> {
  return tracing<ForwardMessage>(api, {
    name: (m) => `bff-session forward ${knownMethod(m.method)} ${boundedRoute(m.route)}`,
    attributes: (m) => ({
      "http.request.method": knownMethod(m.method),
      "http.route": boundedRoute(m.route),
      "bff.route.family": m.family,
    }),
    finish(m, { span, failed }, seconds) {
      const attributes: Attributes = {
        "bff.route.family": m.family,
        "http.request.method": knownMethod(m.method),
        "http.route": boundedRoute(m.route),
      };
      if (m.statusCode !== undefined) {
        attributes["http.response.status_class"] = statusClass(m.statusCode);
        span.setAttribute("http.response.status_code", m.statusCode);
      }
      // A CLIENT span is an error for a 4xx or 5xx answer (HTTP semantic conventions).
      const type = failed
        ? errorType(m.error)
        : m.statusCode !== undefined && m.statusCode >= 400
          ? String(m.statusCode)
          : undefined;
      if (type !== undefined) {
        attributes["error.type"] = type;
        span.setAttribute("error.type", type);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      instruments().forwardDuration.record(seconds, attributes);
    },
  });
}

/** The `bff-session:refresh` handlers: `bff.token.refresh.duration` and a span per refresh. */
export function refreshTracing(
  api: OtelApi,
  instruments: () => Instruments,
): TracingHandlers<RefreshMessage> {
  return tracing<RefreshMessage>(api, {
    name: () => "bff-session refresh",
    attributes: () => ({}),
    finish(m, { span, failed }, seconds) {
      // A call that threw or rejected failed, whatever was set before.
      const outcome = failed ? "failed" : (m.outcome ?? "refreshed");
      const attributes: Attributes = { "bff.token.refresh.outcome": outcome };
      if (failed) attributes["error.type"] = errorType(m.error);
      span.setAttributes(attributes);
      if (outcome === "failed") span.setStatus({ code: api.SpanStatusCode.ERROR });
      instruments().refreshDuration.record(seconds, attributes);
    },
  });
}
