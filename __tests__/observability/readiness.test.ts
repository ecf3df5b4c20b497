import express from "express";
import request from "supertest";
import { readinessHandler, type ReadinessCheck } from "../../lib/observability/readiness.js";

function app(
  checks: Record<string, ReadinessCheck>,
  options?: Parameters<typeof readinessHandler>[1],
) {
  return express().get("/ready", readinessHandler(checks, options));
}
const ok: ReadinessCheck = async () => {};

it("200 with every check ok, not cacheable", async () => {
  const res = await request(app({ store: ok, backend: ok, keys: ok })).get("/ready");
  expect(res.status).toBe(200);
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(res.body).toEqual({ status: "ok", checks: { store: "ok", backend: "ok", keys: "ok" } });
});

it("503 naming each failing check, never its error", async () => {
  const onFailure = jest.fn();
  const res = await request(
    app(
      {
        store: ok,
        backend: async () => {
          throw new Error("connect ECONNREFUSED 10.0.0.7:9000 secret=hunter2");
        },
        keys: () => {
          throw new TypeError("no JWKS");
        },
      },
      { onFailure },
    ),
  ).get("/ready");
  expect(res.status).toBe(503);
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(res.body).toEqual({
    status: "failing",
    checks: { store: "ok", backend: "failing", keys: "failing" },
  });
  expect(res.text).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|hunter2|JWKS/);
  expect(onFailure.mock.calls.map(([name, err]) => [name, (err as Error).message])).toEqual(
    expect.arrayContaining([
      ["backend", "connect ECONNREFUSED 10.0.0.7:9000 secret=hunter2"],
      ["keys", "no JWKS"],
    ]),
  );
});

it("a check slower than the timeout fails, and the answer does not wait for it", async () => {
  const never: ReadinessCheck = () => new Promise(() => {});
  const started = Date.now();
  const res = await request(app({ store: ok, backend: never }, { timeout: 50 })).get("/ready");
  expect(res.status).toBe(503);
  expect(res.body.checks).toEqual({ store: "ok", backend: "failing" });
  expect(Date.now() - started).toBeLessThan(1000);
});

it("probes that arrive during a round share it", async () => {
  let release!: () => void;
  const check = jest.fn(() => new Promise<void>((resolve) => (release = resolve)));
  const handler = app({ backend: check });
  const both = Promise.all([request(handler).get("/ready"), request(handler).get("/ready")]);
  await new Promise((resolve) => setTimeout(resolve, 30));
  release();
  const answers = await both;
  expect(answers.map((r) => r.status)).toEqual([200, 200]);
  expect(check).toHaveBeenCalledTimes(1);
  // The round is over: the next probe checks again.
  check.mockImplementation(async () => {});
  await request(handler).get("/ready").expect(200);
  expect(check).toHaveBeenCalledTimes(2);
});

it("a throwing onFailure does not change the answer", async () => {
  const res = await request(
    app(
      { backend: () => Promise.reject(new Error("x")) },
      {
        onFailure: () => {
          throw new Error("logger");
        },
      },
    ),
  ).get("/ready");
  expect(res.status).toBe(503);
});

it.each([
  [() => readinessHandler(null as never), /checks must be an object/],
  [() => readinessHandler({ store: "yes" as never }), /checks\.store must be a function/],
  [() => readinessHandler({ store: ok }, { timeout: 0 }), /timeout must be a positive/],
])("a bad option throws a TypeError naming it", (make, message) => {
  expect(make).toThrow(TypeError);
  expect(make).toThrow(message);
});
