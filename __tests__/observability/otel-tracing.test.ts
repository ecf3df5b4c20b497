import * as api from "@opentelemetry/api";
import type { ForwardMessage, RefreshMessage } from "../../lib/observability/channels.js";
import { instrumentsOf, routeBound } from "../../lib/observability/otel-metrics.js";
import { forwardTracing, refreshTracing } from "../../lib/observability/otel-tracing.js";
import { installSdk } from "./otel-support.js";

let sdk: ReturnType<typeof installSdk>;
beforeEach(() => (sdk = installSdk()));
afterEach(() => sdk.uninstall());

const forward = (): ForwardMessage => ({
  method: "GET",
  family: "store",
  route: "/store/products",
  headers: {},
});

it("forward: a CLIENT span from start to asyncEnd, trace context injected into the headers", () => {
  const handlers = forwardTracing(api, instrumentsOf(api), routeBound(10));
  const message = forward();
  handlers.start(message);
  expect(message.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  handlers.end(message);
  expect(sdk.spans.getFinishedSpans()).toHaveLength(0);
  message.statusCode = 200;
  handlers.asyncEnd(message);
  const [span] = sdk.spans.getFinishedSpans();
  expect(span).toMatchObject({
    name: "bff-session forward GET /store/products",
    kind: api.SpanKind.CLIENT,
    status: { code: api.SpanStatusCode.UNSET },
  });
  expect(span!.attributes).toMatchObject({
    "http.request.method": "GET",
    "http.route": "/store/products",
    "bff.route.family": "store",
    "http.response.status_code": 200,
  });
});

it("forward: a 4xx or 5xx answer is an error span typed by its status", () => {
  const handlers = forwardTracing(api, instrumentsOf(api), routeBound(10));
  const message = { ...forward(), statusCode: 503 };
  handlers.start(message);
  handlers.asyncEnd(message);
  const [span] = sdk.spans.getFinishedSpans();
  expect(span!.status.code).toBe(api.SpanStatusCode.ERROR);
  expect(span!.attributes["error.type"]).toBe("503");
});

it("forward: a call that threw ends its span at end, typed by the error's class", () => {
  const handlers = forwardTracing(api, instrumentsOf(api), routeBound(10));
  const message = { ...forward(), error: new RangeError("x") };
  handlers.start(message);
  handlers.error(message);
  handlers.end(message);
  const [span] = sdk.spans.getFinishedSpans();
  expect(span!.attributes["error.type"]).toBe("RangeError");
  // Ended once: a later asyncEnd finds nothing to end.
  handlers.asyncEnd(message);
  expect(sdk.spans.getFinishedSpans()).toHaveLength(1);
});

it("refresh: its outcome as attribute; failed when it threw", () => {
  const handlers = refreshTracing(api, instrumentsOf(api));
  const ok: RefreshMessage = { headers: {}, outcome: "refused" };
  handlers.start(ok);
  handlers.asyncEnd(ok);
  const thrown: RefreshMessage = { headers: {}, outcome: "refreshed", error: new Error("x") };
  handlers.start(thrown);
  handlers.error(thrown);
  handlers.asyncEnd(thrown);
  const [first, second] = sdk.spans.getFinishedSpans();
  expect(first!.attributes).toEqual({ "bff.token.refresh.outcome": "refused" });
  expect(first!.status.code).toBe(api.SpanStatusCode.UNSET);
  expect(second!.attributes).toEqual({
    "bff.token.refresh.outcome": "failed",
    "error.type": "Error",
  });
  expect(second!.status.code).toBe(api.SpanStatusCode.ERROR);
});
