/**
 * The router's side of observability: forwarded requests and refreshes on their tracing
 * channels (a subscriber's trace context reaches the backend), session starts on theirs, and
 * `router.readiness()`.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import express from "express";
import request from "supertest";
import {
  CHANNELS,
  createSessionRouter,
  hmacSecret,
  MemorySessionStore,
  type ForwardMessage,
} from "../../lib/index.js";
import { SECRET } from "../helpers.js";
import { bffFor, passwordSignIn } from "../upstream/bff.js";
import { stubBackend } from "../upstream/stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

it("a forwarded request is traced; the subscriber's headers reach the backend", async () => {
  const seen: ForwardMessage[] = [];
  const handlers = {
    start(message: unknown) {
      (message as ForwardMessage).headers.traceparent =
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    },
    end() {},
    asyncStart() {},
    asyncEnd(message: unknown) {
      seen.push(message as ForwardMessage);
    },
    error() {},
  };
  const channel = diagnosticsChannel.tracingChannel(CHANNELS.forward);
  channel.subscribe(handlers);
  try {
    const t = bffFor(backend);
    expect(
      (await request(t.app).get("/store/products/prod_01HZX2K3M4N5P6Q7R8S9T0V1W2")).status,
    ).toBe(200);
    expect(backend.last().headers.traceparent).toMatch(/^00-0af7651916cd43dd/);
    expect(seen).toEqual([
      expect.objectContaining({
        method: "GET",
        family: "store",
        route: "/store/products/:id",
        statusCode: 200,
      }),
    ]);
  } finally {
    channel.unsubscribe(handlers);
  }
});

it("a forward message carries none of the request's credentials, and a subscriber cannot replace them", async () => {
  const published: Array<Record<string, unknown>> = [];
  const ended: string[] = [];
  const handlers = {
    start(message: unknown) {
      const headers = (message as ForwardMessage).headers;
      published.push({ ...headers });
      headers.Authorization = "Bearer planted";
      headers["x-publishable-api-key"] = "pk_planted";
      headers.tracestate = "vendor=1";
    },
    end() {},
    asyncStart() {},
    asyncEnd(message: unknown) {
      // All of it, the result tracePromise would add (the sign-in's answer) included.
      ended.push(JSON.stringify(message));
      expect((message as { result?: unknown }).result).toBeUndefined();
    },
    error() {},
  };
  const channel = diagnosticsChannel.tracingChannel(CHANNELS.forward);
  channel.subscribe(handlers);
  try {
    const t = bffFor(backend);
    const cookie = await passwordSignIn(t.app);
    const res = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
    expect(res.status).toBe(200);
    // Every message, the sign-in's (which carries the password) included, starts empty.
    expect(published.length).toBeGreaterThanOrEqual(2);
    for (const headers of published) expect(headers).toEqual({});
    const sent = backend.last().headers;
    expect(sent.authorization).toMatch(/^Bearer eyJ/);
    expect(sent["x-publishable-api-key"]).not.toBe("pk_planted");
    expect(sent.tracestate).toBe("vendor=1");
    expect(ended.length).toBe(published.length);
    for (const message of ended) expect(message).not.toMatch(/eyJ|password/);
  } finally {
    channel.unsubscribe(handlers);
  }
});

it("a session start is published on its channel, with nobody listening to onEvent", async () => {
  const started: unknown[] = [];
  const listener = (message: unknown) => started.push(message);
  diagnosticsChannel.subscribe(CHANNELS.sessionStart, listener);
  try {
    const t = bffFor(backend, { onEvent: undefined });
    await passwordSignIn(t.app);
    expect(started).toEqual([expect.objectContaining({ customerId: "cus_123" })]);
  } finally {
    diagnosticsChannel.unsubscribe(CHANNELS.sessionStart, listener);
  }
});

describe("router.readiness()", () => {
  function app(baseUrl: string) {
    const router = createSessionRouter({
      keys: hmacSecret(SECRET),
      sessions: new MemorySessionStore({ sweepInterval: 0 }),
      upstream: { baseUrl, timeout: 1 },
      logger: false,
    });
    return express().get("/ready", router.readiness({ timeout: 500 }));
  }

  it("200 when the store, the keys and the backend answer", async () => {
    const res = await request(app(backend.url)).get("/ready");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual({
      status: "ok",
      checks: { store: "ok", keys: "ok", backend: "ok" },
    });
  });

  it("503 naming the backend when it cannot be reached, and nothing of why", async () => {
    const res = await request(app("http://127.0.0.1:9")).get("/ready");
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: "failing",
      checks: { store: "ok", keys: "ok", backend: "failing" },
    });
  });
});
