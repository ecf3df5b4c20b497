/**
 * What an app with an OpenTelemetry SDK sees: every metric's name, unit and attributes, the spans
 * around backend calls, and W3C trace context in the outgoing headers. The channels are driven
 * through the helpers the request path calls.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { diag, metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { InstrumentType, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import request from "supertest";
import { CHANNELS, type ForwardMessage } from "../../lib/observability/channels.js";
import { disableOpenTelemetry, enableOpenTelemetry } from "../../lib/observability/otel.js";
import {
  isObserved,
  publishEvent,
  traceForward,
  traceRefresh,
} from "../../lib/observability/publish.js";
import { lowCardinalityRoute, routeFamily } from "../../lib/observability/route.js";
import { buildApp, signIn } from "../helpers.js";
import { installSdk, points } from "./otel-support.js";

const CART = "cart_01HZX4Q9B2Y7C8D9E0F1G2H3J4";
const CUSTOMER = "cus_01HZX4Q9B2Y7C8D9E0F1G2H3J5";
const SESSION = "3f6c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e";
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

let sdk: ReturnType<typeof installSdk>;
beforeAll(async () => {
  await expect(enableOpenTelemetry()).resolves.toBe(true);
});
afterAll(() => disableOpenTelemetry());
beforeEach(() => {
  sdk = installSdk();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await sdk.uninstall();
});

function forwardMessage(path: string, method = "GET"): ForwardMessage {
  return {
    method,
    family: routeFamily(path),
    route: lowCardinalityRoute(path),
    headers: { "x-publishable-api-key": "pk_test" },
  };
}

/** A forwarded call that the backend answers with `status` after a few ms. */
function forward(path: string, status: number, method = "GET") {
  return traceForward(
    () => forwardMessage(path, method),
    async (message) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      message!.statusCode = status;
      return message!.headers;
    },
  );
}

describe("sessions", () => {
  it("bff.session.active, .started and .ended (by reason) follow start and end", async () => {
    for (let i = 0; i < 5; i++) {
      publishEvent({ type: "session.created", sessionId: `${SESSION}${i}`, customerId: CUSTOMER });
    }
    publishEvent({
      type: "session.destroyed",
      sessionId: SESSION,
      customerId: CUSTOMER,
      reason: "logout",
    });
    publishEvent({
      type: "session.expired",
      sessionId: SESSION,
      customerId: CUSTOMER,
      kind: "idle",
    });
    publishEvent({ type: "session.revoked", customerId: CUSTOMER, count: 2 });
    const byName = await sdk.collect();

    const active = byName.get("bff.session.active")!;
    expect(active.descriptor).toMatchObject({
      unit: "{session}",
      type: InstrumentType.UP_DOWN_COUNTER,
    });
    expect(points(active)).toEqual([[{}, 1]]);
    const started = byName.get("bff.session.started")!;
    expect(started.descriptor).toMatchObject({ unit: "{session}", type: InstrumentType.COUNTER });
    expect(points(started)).toEqual([[{}, 5]]);
    const ended = byName.get("bff.session.ended")!;
    expect(ended.descriptor).toMatchObject({ unit: "{session}", type: InstrumentType.COUNTER });
    expect(points(ended)).toEqual(
      expect.arrayContaining([
        [{ "bff.session.end_reason": "logout" }, 1],
        [{ "bff.session.end_reason": "idle" }, 1],
        [{ "bff.session.end_reason": "revoked" }, 2],
      ]),
    );
    expect(points(ended)).toHaveLength(3);
  });

  it("the router's own events reach the metrics through createReporter", async () => {
    const t = buildApp();
    const cookie = await signIn(t);
    await request(t.app).delete("/auth/session").set("Cookie", cookie).expect(200);
    const byName = await sdk.collect();
    expect(points(byName.get("bff.session.started"))).toEqual([[{}, 1]]);
    expect(points(byName.get("bff.session.ended"))).toEqual([
      [{ "bff.session.end_reason": "logout" }, 1],
    ]);
    expect(points(byName.get("bff.session.active"))).toEqual([[{}, 0]]);
  });
});

it("bff.signin.attempts counts each outcome", async () => {
  publishEvent({
    type: "signin.succeeded",
    sessionId: SESSION,
    customerId: CUSTOMER,
    pending: false,
  });
  publishEvent({ type: "signin.failed", status: 401 });
  publishEvent({ type: "signin.failed", status: 401 });
  publishEvent({ type: "signin.limited", by: "ip", retryAfter: 60 });
  const attempts = (await sdk.collect()).get("bff.signin.attempts")!;
  expect(attempts.descriptor).toMatchObject({ unit: "{attempt}", type: InstrumentType.COUNTER });
  expect(points(attempts)).toEqual(
    expect.arrayContaining([
      [{ "bff.signin.outcome": "allowed" }, 1],
      [{ "bff.signin.outcome": "refused" }, 2],
      [{ "bff.signin.outcome": "limited" }, 1],
    ]),
  );
  expect(points(attempts)).toHaveLength(3);
});

describe("forwarding", () => {
  it("a CLIENT span per call, child of the active span, its trace context in the outgoing headers", async () => {
    const headers = await trace
      .getTracer("test")
      .startActiveSpan("incoming", (incoming) =>
        forward(`/store/carts/${CART}/line-items`, 200, "POST").finally(() => incoming.end()),
      );
    const [, traceId, spanId] = TRACEPARENT.exec(String(headers.traceparent))!;
    const spans = sdk.spans.getFinishedSpans();
    const span = spans.find((s) => s.name.startsWith("bff-session forward"))!;
    const incoming = spans.find((s) => s.name === "incoming")!;
    expect(span.name).toBe("bff-session forward POST /store/carts/:id/line-items");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      "http.request.method": "POST",
      "http.route": "/store/carts/:id/line-items",
      "bff.route.family": "store",
      "http.response.status_code": 200,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.spanContext()).toMatchObject({ traceId, spanId });
    expect(span.parentSpanContext?.spanId).toBe(incoming.spanContext().spanId);
    expect(headers["x-publishable-api-key"]).toBe("pk_test");
  });

  it("bff.forward.duration in seconds, by family, method, status class and route", async () => {
    await forward("/store/products", 200);
    await forward(`/store/products/prod_01HZX4Q9B2Y7C8D9E0F1G2H3J6`, 404);
    await forward("/auth/customer/emailpass", 401, "POST");
    const duration = (await sdk.collect()).get("bff.forward.duration") as HistogramMetricData;
    expect(duration.descriptor).toMatchObject({ unit: "s", type: InstrumentType.HISTOGRAM });
    const byRoute = Object.fromEntries(
      duration.dataPoints.map((p) => [String(p.attributes["http.route"]), p]),
    );
    expect(byRoute["/store/products"]!.attributes).toEqual({
      "bff.route.family": "store",
      "http.request.method": "GET",
      "http.route": "/store/products",
      "http.response.status_class": "2xx",
    });
    expect(byRoute["/store/products/:id"]!.attributes).toEqual({
      "bff.route.family": "store",
      "http.request.method": "GET",
      "http.route": "/store/products/:id",
      "http.response.status_class": "4xx",
      "error.type": "404",
    });
    expect(byRoute["/auth/customer/emailpass"]!.attributes).toMatchObject({
      "bff.route.family": "auth",
      "http.response.status_class": "4xx",
    });
    const value = byRoute["/store/products"]!.value;
    expect(value.count).toBe(1);
    // Seconds, not milliseconds: the call waited ~2 ms.
    expect(value.sum).toBeGreaterThan(0.001);
    expect(value.sum).toBeLessThan(1);
    const failing = sdk.spans
      .getFinishedSpans()
      .find((s) => s.name.endsWith("/store/products/:id"))!;
    expect(failing.status.code).toBe(SpanStatusCode.ERROR);
    expect(failing.attributes["error.type"]).toBe("404");
  });

  it("a call that rejects or throws ends its span as an error and is recorded with error.type", async () => {
    class HeadersTimeoutError extends Error {
      override name = "HeadersTimeoutError";
    }
    await expect(
      traceForward(
        () => forwardMessage("/store/regions"),
        async () => {
          throw new HeadersTimeoutError("http://10.0.0.7:9000/store/regions timed out");
        },
      ),
    ).rejects.toThrow(HeadersTimeoutError);
    expect(() =>
      traceForward(
        () => forwardMessage("/store/collections"),
        () => {
          throw new TypeError("bad header");
        },
      ),
    ).toThrow(TypeError);
    const spans = sdk.spans.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code, s.attributes["error.type"]])).toEqual([
      ["bff-session forward GET /store/regions", SpanStatusCode.ERROR, "HeadersTimeoutError"],
      ["bff-session forward GET /store/collections", SpanStatusCode.ERROR, "TypeError"],
    ]);
    const duration = (await sdk.collect()).get("bff.forward.duration")!;
    expect(points(duration).map(([a]) => a)).toEqual([
      {
        "bff.route.family": "store",
        "http.request.method": "GET",
        "http.route": "/store/regions",
        "error.type": "HeadersTimeoutError",
      },
      {
        "bff.route.family": "store",
        "http.request.method": "GET",
        "http.route": "/store/collections",
        "error.type": "TypeError",
      },
    ]);
  });
});

it("bff.token.refresh.duration and a span per refresh, by outcome", async () => {
  const sent: Record<string, unknown>[] = [];
  for (const outcome of ["refreshed", "refused"] as const) {
    await traceRefresh(
      () => ({ headers: {} }),
      async (message) => {
        sent.push({ ...message!.headers });
        message!.outcome = outcome;
      },
    );
  }
  await expect(
    traceRefresh(
      () => ({ headers: {} }),
      async () => Promise.reject(new Error("ECONNREFUSED 10.0.0.7")),
    ),
  ).rejects.toThrow();
  expect(sent.map((h) => TRACEPARENT.test(String(h.traceparent)))).toEqual([true, true]);

  const duration = (await sdk.collect()).get("bff.token.refresh.duration")!;
  expect(duration.descriptor).toMatchObject({ unit: "s", type: InstrumentType.HISTOGRAM });
  expect(points(duration).map(([a]) => a)).toEqual([
    { "bff.token.refresh.outcome": "refreshed" },
    { "bff.token.refresh.outcome": "refused" },
    { "bff.token.refresh.outcome": "failed", "error.type": "Error" },
  ]);
  const spans = sdk.spans.getFinishedSpans();
  expect(
    spans.map((s) => [s.name, s.kind, s.attributes["bff.token.refresh.outcome"], s.status.code]),
  ).toEqual([
    ["bff-session refresh", SpanKind.CLIENT, "refreshed", SpanStatusCode.UNSET],
    ["bff-session refresh", SpanKind.CLIENT, "refused", SpanStatusCode.UNSET],
    ["bff-session refresh", SpanKind.CLIENT, "failed", SpanStatusCode.ERROR],
  ]);
});

it("no attribute or span name carries an id, an email, an IP or a token", async () => {
  publishEvent({ type: "session.created", sessionId: SESSION, customerId: CUSTOMER });
  publishEvent({ type: "session.revoked", customerId: CUSTOMER, count: 1 });
  publishEvent({
    type: "signin.succeeded",
    sessionId: SESSION,
    customerId: CUSTOMER,
    pending: true,
  });
  await forward(
    `/store/carts/${CART}/line-items/cali_01HZX4QAB2Y7C8D9E0F1G2H3J7?email=jane@example.com`,
    200,
    "DELETE",
  );
  await forward("/store/customers/me/addresses/caddr_01HZX4QAB2Y7C8D9E0F1G2H3J8", 200);
  await forward("/store/orders/12345/transfer/jane%40example.com", 200);
  await forward("/store/shipping-options/10.0.0.7", 200);
  await forward("/store/carts/eyJhbGciOiJIUzI1NiJ9.eyJhY3Rvcl9pZCI6ImN1c18xIn0.c2ln", 200);

  const values: string[] = sdk.spans
    .getFinishedSpans()
    .flatMap((s) => [s.name, ...Object.values(s.attributes).map(String)]);
  for (const metric of (await sdk.collect()).values()) {
    for (const [attributes] of points(metric))
      values.push(...Object.values(attributes).map(String));
  }
  expect(values).toContain("/store/carts/:id/line-items/:id");
  expect(values).toContain("/store/customers/me/addresses/:id");
  const leaks = values.filter(
    (v) =>
      /[a-z]+_[0-9A-Z]{8,}|@|%40|\d+\.\d+\.\d+|eyJ|12345|cus_|cart_/.test(v) || v.includes(SESSION),
  );
  expect(leaks).toEqual([]);
});

it("a failing SDK is reported through diag, never thrown into the request", async () => {
  const reported = jest.spyOn(diag, "error").mockImplementation(() => {});
  metrics.disable();
  metrics.setGlobalMeterProvider({
    getMeter() {
      throw new Error("exporter exploded");
    },
  });
  expect(() =>
    publishEvent({ type: "session.created", sessionId: SESSION, customerId: CUSTOMER }),
  ).not.toThrow();
  await new Promise((resolve) => setImmediate(resolve));
  expect(reported).toHaveBeenCalledWith(
    "bff-session: recording telemetry failed",
    expect.any(Error),
  );
});

it("disableOpenTelemetry unsubscribes from every channel; enableOpenTelemetry subscribes again", async () => {
  expect(isObserved()).toBe(true);
  disableOpenTelemetry();
  expect(isObserved()).toBe(false);
  for (const name of [CHANNELS.sessionStart, CHANNELS.sessionEnd, CHANNELS.signIn]) {
    expect(diagnosticsChannel.hasSubscribers(name)).toBe(false);
  }
  expect(diagnosticsChannel.tracingChannel(CHANNELS.forward).hasSubscribers).toBe(false);
  publishEvent({ type: "session.created", sessionId: SESSION, customerId: CUSTOMER });
  expect((await sdk.collect()).get("bff.session.started")).toBeUndefined();

  await expect(enableOpenTelemetry()).resolves.toBe(true);
  publishEvent({ type: "session.created", sessionId: SESSION, customerId: CUSTOMER });
  expect(points((await sdk.collect()).get("bff.session.started"))).toEqual([[{}, 1]]);
});

it("past 200 distinct routes, further ones are recorded as _OTHER", async () => {
  for (let i = 0; i < 230; i++) {
    await traceForward(
      () => ({
        ...forwardMessage("/store/x"),
        route: `/store/${"a".repeat(1 + (i % 40))}${String.fromCharCode(97 + Math.floor(i / 40))}`,
      }),
      async (m) => void (m!.statusCode = 200),
    );
  }
  const routes = points((await sdk.collect()).get("bff.forward.duration")).map(
    ([a]) => a["http.route"],
  );
  expect(routes).toContain("_OTHER");
  expect(new Set(routes).size).toBeLessThanOrEqual(201);
});
