import * as api from "@opentelemetry/api";
import { loadOtelApi } from "../../lib/observability/otel-api.js";

it("loads the app's @opentelemetry/api once per process", async () => {
  const first = loadOtelApi();
  expect(loadOtelApi()).toBe(first);
  const loaded = await first;
  expect(loaded?.trace).toBe(api.trace);
  expect(loaded?.metrics).toBe(api.metrics);
});
