import express from "express";
import request from "supertest";
import { createSessionRouter, hmacSecret, MemorySessionStore } from "../../lib/index.js";
import type { SessionStore } from "../../lib/stores/session-store.js";
import { SECRET } from "../helpers.js";

const A = "cookie-secret-of-instance-a-0123456789abcdef";
const B = "cookie-secret-of-instance-b-0123456789abcdef";

/** An instance on `store` with `secret`; resolves once its setup check has run. */
async function instance(store: SessionStore, cookie: { secret?: string | string[] } = {}) {
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn(), debug: jest.fn() };
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    sessions: store,
    cookie,
    upstream: { baseUrl: "http://127.0.0.1:9" },
    logger,
  });
  await new Promise((resolve) => setImmediate(resolve));
  return { router, logger };
}

const errors = (logger: { error: jest.Mock }) =>
  logger.error.mock.calls.map(([, message]) => message);

it("instances with other secrets on one store: each says so once, as an error naming the options", async () => {
  const store = new MemorySessionStore({ sweepInterval: 0 });
  const a = await instance(store, { secret: A });
  expect(errors(a.logger)).toEqual([]);
  const b = await instance(store, { secret: B });
  expect(errors(b.logger)).toEqual([
    expect.stringMatching(/another instance sharing this session store has other secrets/),
  ]);
  expect(errors(b.logger)[0]).toContain('"cookie.secret", "upstream.signInLimits.secret"');
  // The first instance hears of it at its next check (each readiness probe runs one).
  await request(express().get("/ready", a.router.readiness())).get("/ready");
  await new Promise((resolve) => setImmediate(resolve));
  expect(errors(a.logger)).toHaveLength(1);
  // Once per foreign secret, not at every check.
  await instance(store, { secret: A });
  const again = await instance(store, { secret: B });
  expect(errors(again.logger)).toHaveLength(1);
  await instance(store, { secret: A });
  expect(errors(a.logger)).toHaveLength(1);
});

it("instances with the same secrets are quiet, a rotation list's extra keys included", async () => {
  const store = new MemorySessionStore({ sweepInterval: 0 });
  const first = await instance(store, { secret: [A, B] });
  const second = await instance(store, { secret: [A] });
  expect([...errors(first.logger), ...errors(second.logger)]).toEqual([]);
});

it("the record holds a fingerprint, nothing of the secrets", async () => {
  const store = new MemorySessionStore({ sweepInterval: 0 });
  await instance(store, { secret: A });
  const value = (await store.getRecord("secrets:check"))!;
  expect(value).toMatch(/^[\w-]{43}$/);
  expect(value).not.toContain(A.slice(0, 8));
});

it("without a secret (a per-process key, the memory store) there is nothing to compare", async () => {
  const store = new MemorySessionStore({ sweepInterval: 0 });
  await instance(store);
  expect(await store.getRecord("secrets:check")).toBeNull();
});
