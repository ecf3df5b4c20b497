/**
 * OpenTelemetry through the router, not the helpers: a request forwarded by `storeApi()` to a
 * backend on a real socket, with an in-memory SDK registered as an app would. The forward span
 * and metric are recorded with their documented names and attributes, and the backend receives
 * the W3C trace context of that span: one trace from the BFF into the backend.
 */
import request from "supertest";
import type { HistogramMetricData } from "@opentelemetry/sdk-metrics";
import { SpanKind } from "@opentelemetry/api";
import { disableOpenTelemetry, enableOpenTelemetry } from "../../lib/observability/otel.js";
import { bffFor, passwordSignIn } from "../upstream/bff.js";
import { stubBackend } from "../upstream/stub-backend.js";
import { installSdk, points } from "./otel-support.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const backend = stubBackend();
let sdk: ReturnType<typeof installSdk>;

beforeAll(async () => {
  await backend.start();
  await expect(enableOpenTelemetry()).resolves.toBe(true);
});
afterAll(async () => {
  disableOpenTelemetry();
  await backend.stop();
});
beforeEach(() => {
  backend.reset();
  sdk = installSdk();
});
afterEach(() => sdk.uninstall());

it("a forwarded request: a CLIENT span whose trace context the backend receives, and its duration", async () => {
  const { app } = bffFor(backend);
  const res = await request(app).get("/store/products/prod_01HZX4Q9B2Y7C8D9E0F1G2H3J4?limit=2");
  expect(res.status).toBe(200);

  const sent = String(backend.last().headers.traceparent);
  const [, traceId, spanId] = TRACEPARENT.exec(sent) ?? [];
  const span = sdk.spans.getFinishedSpans().find((s) => s.name.startsWith("bff-session forward"));
  expect(span).toBeDefined();
  expect(span!.name).toBe("bff-session forward GET /store/products/:id");
  expect(span!.kind).toBe(SpanKind.CLIENT);
  expect(span!.spanContext().traceId).toBe(traceId);
  expect(span!.spanContext().spanId).toBe(spanId);
  expect(span!.attributes["http.response.status_code"]).toBe(200);

  const duration = (await sdk.collect()).get("bff.forward.duration") as HistogramMetricData;
  expect(duration.descriptor.unit).toBe("s");
  expect(points(duration).map(([attributes]) => attributes)).toEqual([
    expect.objectContaining({
      "bff.route.family": "store",
      "http.request.method": "GET",
      "http.route": "/store/products/:id",
    }),
  ]);
});

it("a sign-in: the session start and the attempt are counted, with no id in any attribute", async () => {
  const { app } = bffFor(backend, { onEvent: undefined });
  await passwordSignIn(app);
  const collected = await sdk.collect();
  expect(points(collected.get("bff.session.started"))).toEqual([[{}, 1]]);
  expect(points(collected.get("bff.session.active"))).toEqual([[{}, 1]]);
  const all = JSON.stringify([...collected.values()].map((m) => m.dataPoints));
  expect(all).not.toMatch(/cus_|authid_|@example\.com|127\.0\.0\.1/);
});
