import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
} from "../../lib/index.js";
import type { SessionEvent, SessionRouterOptions } from "../../lib/index.js";
import { CUSTOMER, SECRET, setCookie, signToken, createClock, cookiePair } from "../helpers.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const UPSTREAM = { baseUrl: "", publishableKey: "pk_bff", timeout: 0.5 };

function bff(options: Partial<SessionRouterOptions> = {}, jsonFirst = false) {
  UPSTREAM.baseUrl = backend.url;
  const events: SessionEvent[] = [];
  const logged: unknown[] = [];
  const store = new MemorySessionStore({ sweepInterval: 0 });
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    sessions: store,
    upstream: { baseUrl: backend.url, publishableKey: "pk_bff", timeout: 0.5 },
    onEvent: (e) => events.push(e),
    logger: {
      debug() {},
      warn: (o, m) => logged.push([m, o]),
      error: (o, m) => logged.push([m, o]),
    },
    ...options,
  });
  const app = express();
  if (jsonFirst) app.use(express.json({ limit: "5mb" }));
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  return { app, router, events, logged, store };
}

async function signIn(t: ReturnType<typeof bff>, claims = {}) {
  const res = await request(t.app)
    .post("/auth/session")
    .set("Authorization", `Bearer ${await signToken(createClock(Date.now()), claims)}`);
  expect(res.status).toBe(200);
  return cookiePair(setCookie(res.headers));
}

/** A raw request, so the path reaches the BFF exactly as written (no client normalisation). */
function raw(app: express.Express, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request({ host: "127.0.0.1", port, path, headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => {
          server.close();
          resolve({ status: res.statusCode!, body });
        });
      });
      req.on("error", reject);
      req.end();
    });
  });
}

describe("storeApi(): who the backend sees", () => {
  it("a guest: no Authorization, the BFF's publishable key, the query kept", async () => {
    const t = bff();
    const res = await request(t.app)
      .get("/store/products?limit=2&fields=*variants")
      .set("x-publishable-api-key", "pk_from_the_browser");
    expect(res.status).toBe(200);
    const seen = backend.last();
    expect(seen.url).toBe("/store/products?limit=2&fields=*variants");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["x-publishable-api-key"]).toBe("pk_bff");
    expect(res.headers["cache-control"]).toBe("public, max-age=60"); // a guest answer may be cached
  });

  it("without the publishableKey option, the browser's key passes", async () => {
    const t = bff({ upstream: { baseUrl: backend.url } });
    await request(t.app).get("/store/products").set("x-publishable-api-key", "pk_browser");
    expect(backend.last().headers["x-publishable-api-key"]).toBe("pk_browser");
  });

  it("a customer: the kept token as bearer, never the browser's Cookie or Authorization", async () => {
    const t = bff();
    const cookie = await signIn(t);
    const res = await request(t.app)
      .get("/store/orders")
      .set("Cookie", `${cookie}; other=1`)
      .set("Authorization", "Bearer browser-supplied")
      .set("Connection", "X-Browser-Hop")
      .set("X-Browser-Hop", "1")
      .set("Proxy-Authorization", "Basic x")
      .set("TE", "trailers");
    expect(res.status).toBe(200);
    const seen = backend.last();
    expect(seen.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(seen.headers.authorization).not.toBe("Bearer browser-supplied");
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers["x-browser-hop"]).toBeUndefined();
    expect(seen.headers["proxy-authorization"]).toBeUndefined();
    expect(seen.headers.te).toBeUndefined();
    // What comes back: no backend cookie, nothing hop-by-hop, private and varying by cookie.
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(res.headers["x-backend-hop"]).toBeUndefined();
    expect(res.headers["x-echo"]).toBe("1");
    expect(res.headers["cache-control"]).toBe("private, no-store");
    expect(res.headers.vary).toMatch(/Cookie/);
  });

  it("a cookie that names no live session: 401 and cleared, never forwarded as a guest", async () => {
    const t = bff();
    for (const cookie of [`bff.sid=${"Z".repeat(43)}`, "bff.sid=garbage"]) {
      const res = await request(t.app).get("/store/products").set("Cookie", cookie);
      expect(res.status).toBe(401);
      expect(res.text).toBe("Unauthorized");
      expect(String(res.headers["set-cookie"])).toMatch(/^bff\.sid=;.*Max-Age=0/);
    }
    expect(backend.seen).toHaveLength(0);
  });

  it("leaves other paths to the app", async () => {
    const t = bff();
    t.app.get("/storefront", (_req, res) => void res.send("mine"));
    expect((await request(t.app).get("/storefront")).text).toBe("mine");
    expect(backend.seen).toHaveLength(0);
  });
});

describe("storeApi(): the path cannot leave /store/", () => {
  it.each([
    "/store/../admin/users",
    "/store/%2e%2e/admin/users",
    "/store/%2E%2E/admin/users",
    "/store/.%2e/admin",
    "/store/%2e./admin",
    "/store/./products",
    "/store/%2e/products",
    "/store/products/..",
    "/store/a%2fb",
    "/store/a%2F..%2Fadmin",
    "/store/a%5cb",
    "/store/a\\..\\admin",
    "/store//products",
    "/store/products//1",
    "/store/%00",
    "/store/%zz",
  ])("%s → 400, not forwarded", async (path) => {
    const t = bff();
    const res = await raw(t.app, path);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      message: "The request path is not allowed.",
      type: "invalid_data",
    });
    expect(backend.seen).toHaveLength(0);
  });
});

describe("storeApi(): bodies", () => {
  const payload = randomBytes(1024 * 1024).toString("base64"); // 1.4 MB of JSON string
  const json = JSON.stringify({ note: payload, items: [{ variant_id: "v1", quantity: 2 }] });

  it.each([
    ["streamed (no body parser)", false],
    ["written out again after express.json()", true],
  ])("arrive whole: %s", async (_name, jsonFirst) => {
    const t = bff({ upstream: { ...UPSTREAM, maxBodySize: 2 * 1024 * 1024 } }, jsonFirst);
    const cookie = await signIn(t);
    const res = await request(t.app)
      .post("/store/carts")
      .set("Cookie", cookie)
      .set("Content-Type", "application/json")
      .send(json);
    expect(res.status).toBe(201);
    const seen = backend.last();
    expect(seen.bodyLength).toBe(Buffer.byteLength(json));
    expect(seen.bodySha).toBe(createHash("sha256").update(json).digest("hex"));
  });

  it.each([
    ["streamed (no body parser)", false],
    ["after express.json()", true],
  ])("larger than upstream.maxBodySize, %s: 413, never forwarded", async (_name, jsonFirst) => {
    const t = bff({ upstream: { ...UPSTREAM, maxBodySize: 64 * 1024 } }, jsonFirst);
    const before = backend.seen.length;
    const res = await request(t.app)
      .post("/store/carts")
      .set("Content-Type", "application/json")
      .send(json);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ message: expect.any(String), type: "invalid_data" });
    expect(backend.seen.length).toBe(before);
  });

  it("a body not sent whole within clientBodyTimeout: 408, never forwarded", async () => {
    const t = bff({ upstream: { ...UPSTREAM, clientBodyTimeout: 0.2 } });
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as AddressInfo;
    const before = backend.seen.length;
    const status = await new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path: "/store/carts",
          method: "POST",
          headers: { "content-length": "100" },
        },
        (res) => resolve(res.statusCode!),
      );
      req.on("error", () => {});
      req.write("{");
    });
    server.close();
    expect(status).toBe(408);
    expect(backend.seen.length).toBe(before);
  });

  it("streams a large answer back whole", async () => {
    const t = bff();
    const res = await request(t.app)
      .get("/store/big")
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect((res.body as Buffer).length).toBe(2 * 1024 * 1024);
  });

  /** GET /store/breaks (status and 16 of 64 KiB, then the connection drops) through a BFF. */
  async function breaking(t: ReturnType<typeof bff>) {
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as AddressInfo;
    const got = await new Promise<{ status: number; length: number; error?: string }>((resolve) => {
      http.get({ host: "127.0.0.1", port, path: "/store/breaks" }, (res) => {
        let length = 0;
        res.on("data", (c: Buffer) => (length += c.length));
        res.on("error", (e) => resolve({ status: res.statusCode!, length, error: e.message }));
        res.on("end", () => resolve({ status: res.statusCode!, length }));
      });
    });
    server.close();
    // Reported once the BFF has seen the failure, a moment after the browser did.
    for (let i = 0; i < 50 && t.events.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(t.events).toContainEqual(
      expect.objectContaining({
        type: "upstream.error",
        operation: "forward",
        error: expect.objectContaining({
          cause: expect.objectContaining({ code: "UND_ERR_SOCKET" }),
        }),
      }),
    );
    expect(JSON.stringify(t.logged)).toMatch(/could not be reached/);
    return got;
  }

  it("an answer that breaks off while it is buffered: 502, nothing half-sent", async () => {
    const got = await breaking(bff());
    expect(got.status).toBe(502);
    expect(got.error).toBeUndefined();
  });

  it("an answer larger than bufferSize that breaks off reaches the browser cut off", async () => {
    const got = await breaking(bff({ upstream: { ...UPSTREAM, bufferSize: 4096 } }));
    expect(got.status).toBe(200);
    expect(got.error).toBe("aborted");
    expect(got.length).toBeLessThan(64 * 1024);
  });

  it("a browser that goes away aborts the backend call", async () => {
    const t = bff({ upstream: { baseUrl: backend.url, timeout: 5 } });
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const { port } = server.address() as AddressInfo;
    const before = backend.state.aborted;
    const req = http.get({ host: "127.0.0.1", port, path: "/store/slow" });
    req.on("error", () => {});
    await new Promise((r) => setTimeout(r, 150));
    req.destroy();
    await new Promise((r) => setTimeout(r, 150));
    server.close();
    expect(backend.state.aborted).toBe(before + 1);
    // Nobody is left to answer, and nothing went wrong on the backend's side.
    expect(t.events.filter((e) => e.type === "upstream.error")).toEqual([]);
    expect(t.logged).toEqual([]);
  });
});

describe("storeApi(): CSRF, a revoked token, an unavailable backend", () => {
  it("a cookie-authenticated cross-site write is refused before it is forwarded", async () => {
    const t = bff();
    const cookie = await signIn(t);
    backend.seen.length = 0;
    const res = await request(t.app)
      .post("/store/carts")
      .set("Cookie", cookie)
      .set("Sec-Fetch-Site", "cross-site")
      .send({});
    expect(res.status).toBe(403);
    expect(backend.seen).toHaveLength(0);
  });

  it("a 401 from the backend to the session's token ends the session", async () => {
    const t = bff();
    const cookie = await signIn(t);
    const res = await request(t.app).get("/store/revoked").set("Cookie", cookie);
    expect(res.status).toBe(401);
    expect(String(res.headers["set-cookie"])).toMatch(/Max-Age=0/);
    expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
    expect(t.events).toContainEqual(
      expect.objectContaining({ type: "session.destroyed", reason: "upstream_unauthorized" }),
    );
  });

  it("a guest's 401 from the backend is passed on as it is", async () => {
    const t = bff();
    const res = await request(t.app).get("/store/revoked");
    expect(res.status).toBe(401);
  });

  it("backend unreachable → 502, slow → 504, in the documented shape, with an event and a log line", async () => {
    const down = bff({ upstream: { baseUrl: "http://127.0.0.1:1" } });
    const res = await request(down.app).get("/store/products");
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      message: "The commerce backend is unavailable.",
      type: "unexpected_state",
    });
    expect(down.events).toContainEqual(
      expect.objectContaining({ type: "upstream.error", status: 502 }),
    );
    expect(JSON.stringify(down.logged)).toMatch(/could not be reached/);

    const slow = bff();
    const late = await request(slow.app).get("/store/slow");
    expect(late.status).toBe(504);
    expect(late.body).toEqual({
      message: "The commerce backend is unavailable.",
      type: "unexpected_state",
    });
    expect(JSON.stringify(slow.logged)).toMatch(/did not answer in time/);
  });
});

describe("token refresh", () => {
  function bffAt(
    clock: ReturnType<typeof createClock>,
    options: Partial<SessionRouterOptions> = {},
  ) {
    return bff({ now: clock.now, ...options });
  }
  async function signInAt(
    t: ReturnType<typeof bff>,
    clock: ReturnType<typeof createClock>,
    life = 100,
  ) {
    const res = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(clock, {}, { expiresIn: life })}`);
    expect(res.status).toBe(200);
    return { cookie: cookiePair(setCookie(res.headers)), setCookie: setCookie(res.headers)! };
  }

  it("refreshes once, when less than a quarter of the lifetime is left, however many requests", async () => {
    const clock = createClock(Date.now());
    const t = bffAt(clock);
    const { cookie } = await signInAt(t, clock);
    await request(t.app).get("/store/orders").set("Cookie", cookie);
    const first = backend.last().headers.authorization;
    clock.advance(70_000); // 30 s of 100 left: not yet
    await request(t.app).get("/store/orders").set("Cookie", cookie);
    expect(backend.state.refreshes).toBe(0);
    clock.advance(10_000); // 20 s left
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => request(t.app).get("/store/orders").set("Cookie", cookie)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(backend.state.refreshes).toBe(1);
    const after = backend.seen.filter((s) => s.url === "/store/orders").at(-1)!.headers
      .authorization;
    expect(after).not.toBe(first);
    expect(t.events.filter((e) => e.type === "token.refreshed")).toHaveLength(1);
  });

  it("two instances on one store refresh once between them", async () => {
    const clock = createClock(Date.now());
    const shared = new MemorySessionStore({ sweepInterval: 0, now: clock.now });
    const a = bffAt(clock, { sessions: shared });
    const b = bffAt(clock, { sessions: shared });
    const { cookie } = await signInAt(a, clock);
    clock.advance(80_000);
    await Promise.all([
      request(a.app).get("/store/orders").set("Cookie", cookie),
      request(b.app).get("/store/orders").set("Cookie", cookie),
    ]);
    expect(backend.state.refreshes).toBe(1);
  });

  it.each([
    ["a 401", "401" as const],
    ["a token for another customer", "other-customer" as const],
  ])("%s from the refresh ends the session", async (_name, mode) => {
    const clock = createClock(Date.now());
    const t = bffAt(clock);
    const { cookie } = await signInAt(t, clock);
    clock.advance(80_000);
    backend.state.refresh = mode;
    const res = await request(t.app).get("/store/orders").set("Cookie", cookie);
    expect(res.status).toBe(401);
    expect(String(res.headers["set-cookie"])).toMatch(/Max-Age=0/);
    expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
  });

  it("a backend that fails the refresh leaves the old token in use until it expires", async () => {
    const clock = createClock(Date.now());
    const t = bffAt(clock);
    const { cookie } = await signInAt(t, clock);
    clock.advance(80_000);
    backend.state.refresh = "500";
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(200);
    expect(t.events).toContainEqual(
      expect.objectContaining({ type: "upstream.error", operation: "refresh" }),
    );
    clock.advance(20_000); // the old token's exp
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(401);
  });

  it("the BFF's absolute timeout still ends a session however often it was refreshed", async () => {
    const clock = createClock(Date.now());
    const t = bffAt(clock, { session: { absoluteTimeout: 150, idleTimeout: 100 } });
    const { cookie, setCookie: header } = await signInAt(t, clock);
    expect(header).toMatch(/Max-Age=150/);
    clock.advance(80_000);
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(200);
    clock.advance(71_000);
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(401);
  });

  it("with refresh: false, the session ends at the token's exp, and Max-Age says so", async () => {
    const clock = createClock(Date.now());
    const t = bffAt(clock, { upstream: { baseUrl: backend.url, refresh: false } });
    const { cookie, setCookie: header } = await signInAt(t, clock);
    // The token's exp, counted from the sign-in (iat is whole seconds, the clock is not).
    expect(header).toMatch(/Max-Age=(99|100)$/);
    clock.advance(90_000);
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(200);
    expect(backend.state.refreshes).toBe(0);
    clock.advance(10_000);
    expect((await request(t.app).get("/store/orders").set("Cookie", cookie)).status).toBe(401);
  });
});

describe("upstream options", () => {
  it("reads the customer from the backend by default, as the customer", async () => {
    const t = bff();
    const res = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(createClock(Date.now()))}`);
    expect(res.body.user.id).toBe(CUSTOMER.id);
    expect(backend.last().url).toBe("/store/customers/me");
    expect(backend.last().headers["x-publishable-api-key"]).toBe("pk_bff");
  });

  it.each([
    [{ baseUrl: "ftp://x" }, /upstream\.baseUrl/],
    [{ baseUrl: "not a url" }, /upstream\.baseUrl/],
    [{ baseUrl: "http://x", refresh: { remaining: 1.5 } }, /upstream\.refresh/],
    [{ baseUrl: "http://x", tiemout: 5 }, /did you mean "upstream\.timeout"/],
  ])("refuses %p", (upstream, message) => {
    expect(() =>
      createSessionRouter({ keys: hmacSecret(SECRET), upstream: upstream as never }),
    ).toThrow(message);
  });

  it("storeApi() without upstream says what it needs", () => {
    const router = createSessionRouter({
      keys: hmacSecret(SECRET),
      customers: { retrieve: async () => null },
    });
    expect(() => router.storeApi()).toThrow(/needs the "upstream" option/);
  });

  it("token.keep: false cannot be combined with upstream; customers is required without it", () => {
    expect(() =>
      createSessionRouter({
        keys: hmacSecret(SECRET),
        upstream: { baseUrl: "http://x" },
        token: { keep: false },
      }),
    ).toThrow(/token\.keep/);
    expect(() => createSessionRouter({ keys: hmacSecret(SECRET) } as never)).toThrow(
      /"customers" is required/,
    );
  });
});

describe("a registration's stand-in", () => {
  it("is swapped only on POST /store/customers, never on another route", async () => {
    const t = bff();
    const reg = await request(t.app).post("/auth/customer/emailpass/register").send({});
    const cookie = cookiePair(setCookie(reg.headers));
    const standIn = reg.body.token as string;
    // (Not a cart path: the cart guard would answer 404 there before any swap.)
    const elsewhere = await request(t.app)
      .get("/store/products?limit=1")
      .set("Cookie", cookie)
      .set("Authorization", `Bearer ${standIn}`);
    expect(elsewhere.status).toBe(200);
    expect(backend.last().headers.authorization).toBeUndefined();
    // Not used up by the other route: the customer creation still gets the token.
    const created = await request(t.app)
      .post("/store/customers")
      .set("Cookie", cookie)
      .set("Authorization", `Bearer ${standIn}`)
      .send({ email: "new@example.com" });
    expect(created.status).toBe(200);
    expect(backend.state.created).toHaveLength(1);
  });
});

describe("mounted below a path", () => {
  it("storeApi() and the sign-in routes work wherever the app mounts them", async () => {
    const router = createSessionRouter({
      keys: hmacSecret(SECRET),
      sessions: new MemorySessionStore({ sweepInterval: 0 }),
      upstream: { baseUrl: backend.url, publishableKey: "pk_bff" },
      logger: false,
    });
    const app = express();
    app.use("/api", router);
    app.use("/api", router.storeApi());
    app.use(errorHandler());
    const products = await request(app).get("/api/store/products?limit=2");
    expect(products.status).toBe(200);
    expect(backend.last().url).toBe("/store/products?limit=2");
    const signIn = await request(app)
      .post("/api/auth/customer/emailpass")
      .send({ email: "jo@example.com", password: "right-password" });
    expect(signIn.status).toBe(200);
    expect(backend.last().url).toBe("/auth/customer/emailpass");
    // Not mounted at the root: /store/… of the app itself is not the BFF's.
    expect((await request(app).get("/store/products")).status).toBe(404);
  });
});
