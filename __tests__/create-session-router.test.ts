import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type KeySource,
  type SessionStore,
} from "../lib/index.js";
import { SECRET } from "./helpers.js";

const customers = { retrieve: async () => null };

describe("close()", () => {
  let backend: Server;
  let baseUrl: string;
  const held: ServerResponse[] = [];
  beforeAll(async () => {
    backend = createServer((req, res) => {
      if (req.url === "/store/held") return void held.push(res);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    backend.closeAllConnections();
    await new Promise((resolve) => backend.close(resolve));
  });

  it("lets a request in flight finish, then later ones fail with 502; the stores stay open", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const router = createSessionRouter({
      keys: hmacSecret(SECRET),
      sessions: store,
      upstream: { baseUrl, publishableKey: "pk_test", timeout: 2 },
      logger: false,
    });
    const app = express().use(router).use(router.storeApi()).use(errorHandler());
    const server = app.listen(0, "127.0.0.1");
    try {
      const agent = request(server);
      expect((await agent.get("/store/products")).status).toBe(200);
      const inFlight = agent.get("/store/held").then((r) => r);
      await new Promise<void>((resolve) => {
        const wait = () => (held.length > 0 ? resolve() : setImmediate(wait));
        wait();
      });
      const closed = router.close();
      held.shift()!.writeHead(200, { "content-type": "application/json" }).end('{"late":true}');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ late: true });
      await closed;
      const after = await agent.get("/store/products");
      expect(after.status).toBe(502);
      expect(after.body).toEqual({
        message: "The commerce backend is unavailable.",
        type: "unexpected_state",
      });
      // The store is the app's: still usable.
      await expect(store.get("x")).resolves.toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("resolves at once without upstream", async () => {
    const router = createSessionRouter({ keys: hmacSecret(SECRET), customers, logger: false });
    await expect(router.close()).resolves.toBeUndefined();
  });
});

describe("dispatchAuthPaths: the router sees only /auth/", () => {
  /** The router, with a first layer of its own that records what went through its handle. */
  function app() {
    const router = createSessionRouter({ keys: hmacSecret(SECRET), customers, logger: false });
    const routed: string[] = [];
    router.use((req, _res, next) => {
      routed.push(`${req.method} ${req.url}`);
      next();
    });
    const stack = (router as unknown as { stack: unknown[] }).stack;
    stack.unshift(stack.pop());
    const app = express();
    app.use(router);
    app.use((req, res) => void res.status(404).json({ app: req.url }));
    return { app, routed };
  }

  it("an app route is passed on without entering the router", async () => {
    const t = app();
    const res = await request(t.app).get("/store/products");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ app: "/store/products" });
    expect(t.routed).toEqual([]);
  });

  it("the session routes by their exact path (with a query) go straight to their handler", async () => {
    const t = app();
    expect((await request(t.app).get("/auth/session")).status).toBe(401);
    expect((await request(t.app).delete("/auth/session?x=1")).status).toBe(200);
    expect(t.routed).toEqual([]);
  });

  it.each<[string, string, number]>([
    ["another case", "/AUTH/SESSION", 401],
    ["a trailing slash", "/auth/session/", 401],
    ["a longer path", "/auth/sessions", 404],
    ["another /auth/ path", "/auth/other", 404],
  ])("%s goes through the router", async (_, path, status) => {
    const t = app();
    expect((await request(t.app).get(path)).status).toBe(status);
    expect(t.routed).toEqual([`GET ${path}`]);
  });

  it("HEAD, and a method the route lacks, go through the router", async () => {
    const t = app();
    expect((await request(t.app).head("/auth/session")).status).toBe(401);
    expect((await request(t.app).put("/auth/session")).status).toBe(404);
    expect(t.routed).toEqual(["HEAD /auth/session", "PUT /auth/session"]);
  });
});

describe("readiness()", () => {
  function ready(options: { sessions?: SessionStore; keys?: KeySource } = {}) {
    const router = createSessionRouter({
      keys: options.keys ?? hmacSecret(SECRET),
      customers,
      sessions: options.sessions ?? new MemorySessionStore({ sweepInterval: 0 }),
      logger: false,
    });
    return request(express().get("/ready", router.readiness({ timeout: 500 }))).get("/ready");
  }

  it("200 with the store and the keys (no backend check without upstream)", async () => {
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", checks: { store: "ok", keys: "ok" } });
  });

  it("503 naming the store when its read fails", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const failing = Object.assign(Object.create(store) as MemorySessionStore, {
      get: async () => {
        throw new Error("down");
      },
    });
    const res = await ready({ sessions: failing });
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ store: "failing", keys: "ok" });
  });

  it("503 naming the keys when they cannot be had", async () => {
    const keys: KeySource = {
      algorithms: ["ES256"],
      getKeys: async () => {
        throw new Error("JWKS down");
      },
    };
    const res = await ready({ keys });
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ store: "ok", keys: "failing" });
  });
});

it("storeApi() without upstream is a TypeError", () => {
  const router = createSessionRouter({ keys: hmacSecret(SECRET), customers, logger: false });
  expect(() => router.storeApi()).toThrow(TypeError);
});
