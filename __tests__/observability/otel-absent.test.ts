/**
 * An app without @opentelemetry/api: the loader takes the absent path and the router works.
 * jest.doMock makes `require("@opentelemetry/api")` fail as Node does for a missing package
 * (ts-jest compiles the loader's import() to require(), as the CommonJS build does).
 */
import request from "supertest";

beforeEach(() => {
  jest.resetModules();
  jest.doMock("@opentelemetry/api", () => {
    const error = new Error("Cannot find module '@opentelemetry/api'") as Error & { code?: string };
    error.code = "MODULE_NOT_FOUND";
    throw error;
  });
});

it("enableOpenTelemetry resolves false and subscribes to nothing", async () => {
  const { enableOpenTelemetry } = await import("../../lib/observability/otel.js");
  const { isObserved } = await import("../../lib/observability/publish.js");
  const { loadOtelApi } = await import("../../lib/observability/otel-api.js");
  await expect(loadOtelApi()).resolves.toBeUndefined();
  await expect(enableOpenTelemetry()).resolves.toBe(false);
  expect(isObserved()).toBe(false);
});

it("startTelemetry, then a router: sign-in, session and sign-out work", async () => {
  const { startTelemetry } = await import("../../lib/observability/otel.js");
  const { isObserved } = await import("../../lib/observability/publish.js");
  const { buildApp, signIn } = await import("../helpers.js");
  startTelemetry();
  startTelemetry();
  const t = buildApp();
  const cookie = await signIn(t);
  await request(t.app).get("/store/customers/me").set("Cookie", cookie).expect(200);
  await request(t.app).delete("/auth/session").set("Cookie", cookie).expect(200);
  expect(t.events.map((e) => e.type)).toEqual(["session.created", "session.destroyed"]);
  expect(isObserved()).toBe(false);
});
