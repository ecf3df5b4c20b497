import type { Counter, Histogram, MeterProvider, UpDownCounter } from "@opentelemetry/api";
import type { OtelApi } from "./otel-api.js";

/** The instrumentation scope: what a telemetry backend shows as the meter's and tracer's name. */
export const SCOPE = "bff-session";

// OpenTelemetry's advice for request durations in seconds (HTTP semantic conventions).
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

export interface Instruments {
  active: UpDownCounter;
  started: Counter;
  ended: Counter;
  signInAttempts: Counter;
  refreshDuration: Histogram;
  forwardDuration: Histogram;
}

/**
 * The instruments of the meter provider registered now. The API has no proxy for meters (unlike
 * tracers): a meter taken before the app starts its SDK would record nothing forever. So the
 * provider is read at each use (a global lookup) and the instruments are made again when it
 * changed, which costs nothing in steady state.
 */
export function instrumentsOf(api: OtelApi): () => Instruments {
  let provider: MeterProvider | undefined;
  let instruments: Instruments | undefined;
  return function currentInstruments(): Instruments {
    const now = api.metrics.getMeterProvider();
    if (instruments === undefined || now !== provider) {
      provider = now;
      instruments = create(now);
    }
    return instruments;
  };
}

function create(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(SCOPE);
  return {
    active: meter.createUpDownCounter("bff.session.active", {
      description: "Sessions started and not yet seen ending, as counted by this process.",
      unit: "{session}",
    }),
    started: meter.createCounter("bff.session.started", {
      description: "Sessions started.",
      unit: "{session}",
    }),
    ended: meter.createCounter("bff.session.ended", {
      description: "Sessions ended, by bff.session.end_reason.",
      unit: "{session}",
    }),
    signInAttempts: meter.createCounter("bff.signin.attempts", {
      description: "Sign-in attempts, by bff.signin.outcome (allowed, refused, limited).",
      unit: "{attempt}",
    }),
    refreshDuration: meter.createHistogram("bff.token.refresh.duration", {
      description: "Duration of token refreshes at the commerce backend.",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    forwardDuration: meter.createHistogram("bff.forward.duration", {
      description: "Duration of requests forwarded to the commerce backend, answer body included.",
      unit: "s",
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
  };
}

const KNOWN_METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
]);

/** The method as the HTTP semantic conventions want it: a known method, or `_OTHER`. */
export function knownMethod(method: string): string {
  return KNOWN_METHODS.has(method) ? method : "_OTHER";
}

/** `2xx`, `4xx`, …: the class of a status code, or `_OTHER` outside 100–599. */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "_OTHER";
}

/**
 * `error.type` as the semantic conventions define it: a low-cardinality name for what failed.
 * An error's class name (`HeadersTimeoutError`) when it looks like one, else `_OTHER`: never its
 * message, which may carry a URL or an id.
 */
export function errorType(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  return name !== undefined && /^[A-Za-z][\w.]{0,63}$/.test(name) ? name : "_OTHER";
}

/**
 * At most `limit` distinct routes, then `_OTHER`: a bound on attribute cardinality whatever paths
 * clients make up (unknown `/store/…` words pass `lowCardinalityRoute` as route words).
 */
export function routeBound(limit: number): (route: string) => string {
  const seen = new Set<string>();
  return function boundedRoute(route) {
    if (seen.has(route)) return route;
    if (seen.size >= limit) return "_OTHER";
    seen.add(route);
    return route;
  };
}
