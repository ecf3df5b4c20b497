/**
 * The sign-in routes with `upstream`, against a Medusa-shaped stub on a real socket: every
 * token the backend issues stays in the BFF, the browser gets stand-ins, sessions start and
 * upgrade as the fixation rules say, and failed password sign-ins are limited, with the count
 * shared through Redis and PostgreSQL.
 */
import express from "express";
import request from "supertest";
import type { Response } from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  PostgresSessionStore,
  RedisSessionStore,
  type SessionEvent,
  type SessionRouterOptions,
  type SessionStore,
} from "../../lib/index.js";
import { SECRET, cookiePair, setCookie } from "../helpers.js";
import { describePostgres, usePostgres } from "../support/postgres.js";
import { describeRedis, uniquePrefix, useRedisClients } from "../support/redis.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
const RIGHT = { email: "jo@example.com", password: "right-password" };
const WRONG = { email: "jo@example.com", password: "guess" };

/** Every answer a test's browser received, to check that none carries a JWT. */
const received: Response[] = [];
afterEach(() => {
  for (const res of received) {
    expect(JSON.stringify(res.headers)).not.toMatch(JWT);
    expect(res.text ?? "").not.toMatch(JWT);
    expect(JSON.stringify(res.headers)).not.toContain("connect.sid");
  }
  received.length = 0;
});

function bff(options: Partial<SessionRouterOptions> = {}, sessions?: SessionStore) {
  const events: SessionEvent[] = [];
  // Real time plus a skew the tests move: the stub signs with the real clock, and a frozen one
  // would see its tokens as issued in the future once a second boundary passes.
  const clock = { skew: 0 };
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    sessions: sessions ?? new MemorySessionStore({ sweepInterval: 0 }),
    upstream: { baseUrl: backend.url, publishableKey: "pk_bff", timeout: 5 },
    onEvent: (e) => events.push(e),
    logger: false,
    now: () => Date.now() + clock.skew,
    ...options,
  });
  const app = express();
  app.set("trust proxy", "loopback");
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  /** A request whose answer is recorded for the no-JWT check. */
  const call = async (
    method: "get" | "post" | "delete",
    path: string,
    { cookie, body, auth, ip }: { cookie?: string; body?: object; auth?: string; ip?: string } = {},
  ) => {
    let req = request(app)[method](path);
    if (cookie !== undefined) req = req.set("Cookie", cookie);
    if (auth !== undefined) req = req.set("Authorization", auth);
    if (ip !== undefined) req = req.set("X-Forwarded-For", ip);
    const res = await (body === undefined ? req : req.send(body));
    received.push(res);
    return res;
  };
  return { app, router, events, clock, call };
}

type Bff = ReturnType<typeof bff>;

async function logIn(t: Bff, body: object = RIGHT, cookie?: string) {
  const res = await t.call("post", "/auth/customer/emailpass", { body, cookie });
  return { res, cookie: cookiePair(setCookie(res.headers)), standIn: res.body.token as string };
}

/** The bearer the backend saw on its last call to `path`. */
function backendBearer(path: string): string | undefined {
  const seen = backend.seen.filter((s) => s.url.startsWith(path)).at(-1);
  return seen?.headers.authorization?.replace(/^Bearer /, "");
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Record<
    string,
    unknown
  >;
}

describe("POST /auth/customer/{provider}: sign-in", () => {
  it("keeps the token, sets the session cookie, and gives a stand-in that POST /auth/session takes once", async () => {
    const t = bff();
    const { res, cookie, standIn } = await logIn(t);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(standIn).toMatch(/^bffsi_[A-Za-z0-9_-]{43}$/);
    expect(cookie).toMatch(/^bff\.sid=/);

    const session = await t.call("post", "/auth/session", { cookie, auth: `Bearer ${standIn}` });
    expect(session.status).toBe(200);
    expect(session.body.user.id).toBe("cus_123");
    // The customer was read at the backend with the kept token, never shown to the browser.
    expect(claimsOf(backendBearer("/store/customers/me")!).actor_id).toBe("cus_123");

    const again = await t.call("post", "/auth/session", { cookie, auth: `Bearer ${standIn}` });
    expect(again.status).toBe(401);
    expect(again.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    // The session itself stays signed in.
    expect((await t.call("get", "/store/customers/me", { cookie })).status).toBe(200);
    expect(claimsOf(backendBearer("/store/customers/me")!).actor_id).toBe("cus_123");
  });

  it("a stand-in is worthless without its session's cookie, with another one, or after 30 s", async () => {
    const t = bff();
    const first = await logIn(t);
    const second = await logIn(t);
    const withNone = await t.call("post", "/auth/session", { auth: `Bearer ${first.standIn}` });
    expect(withNone.status).toBe(401);
    const withOther = await t.call("post", "/auth/session", {
      cookie: second.cookie,
      auth: `Bearer ${first.standIn}`,
    });
    expect(withOther.status).toBe(401);
    t.clock.skew += 30_001;
    const late = await t.call("post", "/auth/session", {
      cookie: second.cookie,
      auth: `Bearer ${second.standIn}`,
    });
    expect(late.status).toBe(401);
    // At the backend it is no token at all.
    expect(first.standIn).not.toContain(".");
  });

  it("starts a new session: the one the browser brought is destroyed (fixation)", async () => {
    const t = bff();
    const before = await logIn(t);
    const after = await logIn(t, RIGHT, before.cookie);
    expect(after.cookie).not.toBe(before.cookie);
    expect((await t.call("get", "/auth/session", { cookie: before.cookie })).status).toBe(401);
    expect(t.events).toContainEqual(expect.objectContaining({ reason: "replaced" }));
  });

  it("remember me on the sign-in route: ?remember=false gives a browser-session cookie, and stays here", async () => {
    const t = bff();
    const res = await t.call("post", "/auth/customer/emailpass?remember=false", { body: RIGHT });
    expect(res.status).toBe(200);
    expect(setCookie(res.headers)).not.toMatch(/Max-Age/i);
    expect(setCookie((await logIn(t)).res.headers)).toMatch(/Max-Age=\d+/);
    expect(backend.seen.map((s) => s.url)).not.toContainEqual(expect.stringContaining("remember"));
  });

  it("passes a refused password on (401, the backend's body) and starts nothing", async () => {
    const t = bff();
    const res = await t.call("post", "/auth/customer/emailpass", { body: WRONG });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ type: "unauthorized", message: "Invalid email or password" });
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(t.events).toContainEqual({ type: "signin.failed", status: 401 });
  });

  it("forwards the body whole, also after express.json(), with the BFF's publishable key", async () => {
    const t = bff();
    const parsed = express();
    parsed.use(express.json());
    parsed.use(t.router);
    const res = await request(parsed).post("/auth/customer/emailpass").send(RIGHT);
    received.push(res);
    expect(res.status).toBe(200);
    const seen = backend.seen.find((s) => s.url === "/auth/customer/emailpass")!;
    expect(seen.headers["x-publishable-api-key"]).toBe("pk_bff");
    expect(seen.headers.cookie).toBeUndefined();
  });

  it("refuses a sign-in posted from another site (login CSRF) before it reaches the backend", async () => {
    const t = bff();
    const res = await request(t.app)
      .post("/auth/customer/emailpass")
      .set("Origin", "https://evil.example")
      .set("Sec-Fetch-Site", "cross-site")
      .send(RIGHT);
    expect(res.status).toBe(403);
    expect(backend.seen).toHaveLength(0);
  });

  it("answers 502 in the documented shape when the backend is unreachable", async () => {
    const t = bff({ upstream: { baseUrl: "http://127.0.0.1:9", timeout: 0.5 } });
    const res = await t.call("post", "/auth/customer/emailpass", { body: RIGHT });
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      message: "The commerce backend is unavailable.",
      type: "unexpected_state",
    });
  });

  it("never routes a provider name that is not a name", async () => {
    const t = bff();
    const res = await t.call("post", "/auth/customer/..%2Fuser%2Femailpass", { body: RIGHT });
    expect(res.status).toBe(404);
    expect(backend.seen).toHaveLength(0);
  });
});

describe("registration: a pending session that authenticates nothing", () => {
  it("register, then store.customer.create with the stand-in, then log in", async () => {
    const t = bff();
    const reg = await t.call("post", "/auth/customer/emailpass/register", { body: RIGHT });
    expect(reg.status).toBe(200);
    const standIn = reg.body.token as string;
    const cookie = cookiePair(setCookie(reg.headers));

    // Not a customer session anywhere.
    expect((await t.call("get", "/auth/session", { cookie })).status).toBe(401);
    const posted = await t.call("post", "/auth/session", { cookie, auth: `Bearer ${standIn}` });
    expect(posted.status).toBe(200);
    expect(posted.body).toEqual({ user: null });
    // Browsing meanwhile is as a guest.
    expect((await t.call("get", "/store/products", { cookie })).status).toBe(200);
    expect(backendBearer("/store/products")).toBeUndefined();

    // The stand-in as Authorization is swapped for the registration token, once.
    const created = await t.call("post", "/store/customers", {
      cookie,
      auth: `Bearer ${standIn}`,
      body: { email: RIGHT.email },
    });
    expect(created.status).toBe(200);
    expect(backend.state.created).toHaveLength(1);
    expect(claimsOf(backend.state.created[0]!).actor_id).toBe("");
    const replay = await t.call("post", "/store/customers", {
      cookie,
      auth: `Bearer ${standIn}`,
      body: { email: RIGHT.email },
    });
    expect(replay.status).toBe(401);
    expect(backend.state.created).toHaveLength(1);

    const login = await logIn(t, RIGHT, cookie);
    expect(login.res.status).toBe(200);
    const session = await t.call("post", "/auth/session", {
      cookie: login.cookie,
      auth: `Bearer ${login.standIn}`,
    });
    expect(session.body.user.id).toBe("cus_123");
    expect(t.events).toContainEqual(
      expect.objectContaining({ type: "signin.succeeded", pending: true }),
    );
  });

  it("a stand-in of another session is dropped, never forwarded", async () => {
    const t = bff();
    const reg = await t.call("post", "/auth/customer/emailpass/register", { body: RIGHT });
    const other = await t.call("post", "/auth/customer/emailpass/register", { body: RIGHT });
    const res = await t.call("post", "/store/customers", {
      cookie: cookiePair(setCookie(other.headers)),
      auth: `Bearer ${reg.body.token as string}`,
      body: { email: RIGHT.email },
    });
    expect(res.status).toBe(401);
    expect(backend.state.created).toHaveLength(0);
  });
});

describe("MFA: the pre-MFA token is kept pending until the challenge is passed", () => {
  it("login answers the challenge with a stand-in; verifying it upgrades to a new session", async () => {
    const t = bff();
    const first = await logIn(t, { email: "mfa@example.com", password: "right-password" });
    expect(first.res.body).toEqual({
      mfa_required: true,
      mfa_challenge: { id: "authmfachal_1", methods: ["totp"] },
      token: first.standIn,
    });
    // What the SDK does next: post the token to /auth/session. It must not fail, nor sign in.
    const posted = await t.call("post", "/auth/session", {
      cookie: first.cookie,
      auth: `Bearer ${first.standIn}`,
    });
    expect(posted.body).toEqual({ user: null });
    expect((await t.call("get", "/auth/session", { cookie: first.cookie })).status).toBe(401);

    const wrong = await t.call("post", "/auth/mfa/challenges/authmfachal_1/verify", {
      cookie: first.cookie,
      body: { method: "totp", code: "000000" },
    });
    expect(wrong.status).toBe(400);

    const verified = await t.call("post", "/auth/mfa/challenges/authmfachal_1/verify", {
      cookie: first.cookie,
      body: { method: "totp", code: "123456" },
    });
    expect(verified.status).toBe(200);
    // The challenge was answered as the pending identity.
    expect(claimsOf(backendBearer("/auth/mfa/challenges")!).actor_id).toBe("");
    const cookie = cookiePair(setCookie(verified.headers));
    expect(cookie).not.toBe(first.cookie);
    const session = await t.call("post", "/auth/session", {
      cookie,
      auth: `Bearer ${verified.body.token as string}`,
    });
    expect(session.body.user.id).toBe("cus_123");
    expect((await t.call("get", "/auth/session", { cookie: first.cookie })).status).toBe(401);
  });

  it("a customer session's token is refreshed first when due (MFA enrolment, as any use)", async () => {
    const t = bff();
    const { cookie } = await logIn(t);
    t.clock.skew += 50 * 60_000; // 10 of the token's 60 minutes left: a refresh is due
    await t.call("post", "/auth/mfa/factors", { cookie, body: { provider: "totp" } });
    expect(backend.seen.map((s) => s.url).slice(-2)).toEqual([
      "/auth/token/refresh",
      "/auth/mfa/factors",
    ]);
    expect(t.events).toContainEqual(expect.objectContaining({ type: "token.refreshed" }));
  });

  it("refuses the MFA routes without a session", async () => {
    const t = bff();
    const res = await t.call("post", "/auth/mfa/challenges/authmfachal_1/verify", {
      body: { code: "123456" },
    });
    expect(res.status).toBe(401);
    expect(backend.seen).toHaveLength(0);
  });
});

describe("password reset, providers with redirects, refresh", () => {
  it("reset-password passes the 201 on; update sends the browser's reset token", async () => {
    const t = bff();
    const reset = await t.call("post", "/auth/customer/emailpass/reset-password", {
      body: { identifier: RIGHT.email },
    });
    expect(reset.status).toBe(201);
    expect(reset.text).toBe("Created");
    const update = await t.call("post", "/auth/customer/emailpass/update", {
      auth: "Bearer reset-token-from-email",
      body: { password: "new-password" },
    });
    expect(update.status).toBe(200);
    expect(update.body).toEqual({ success: true });
  });

  it("a redirecting provider: { location } passes, the callback's token starts a session", async () => {
    const t = bff();
    const start = await t.call("post", "/auth/customer/google", { body: {} });
    expect(start.body).toEqual({ location: "https://accounts.example.com/o/oauth2?state=abc" });
    // No session yet: only the binding of this sign-in to this browser.
    const binding = cookiePair(setCookie(start.headers, "bff.sid.signin"));
    expect(setCookie(start.headers)).toBeUndefined();
    const bad = await t.call("get", "/auth/customer/google/callback?code=bad&state=abc", {
      cookie: binding,
    });
    expect(bad.status).toBe(401);
    const back = await t.call("get", "/auth/customer/google/callback?code=good-code&state=abc", {
      cookie: binding,
    });
    expect(back.status).toBe(200);
    expect(backend.seen.at(-1)!.url).toBe(
      "/auth/customer/google/callback?code=good-code&state=abc",
    );
    const cookie = cookiePair(setCookie(back.headers));
    const session = await t.call("post", "/auth/session", {
      cookie,
      auth: `Bearer ${back.body.token as string}`,
    });
    expect(session.body.user.id).toBe("cus_123");
  });

  it("POST /auth/token/refresh refreshes the kept token and answers a stand-in", async () => {
    const t = bff();
    const { cookie } = await logIn(t);
    const refreshed = await t.call("post", "/auth/token/refresh", { cookie });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token).toMatch(/^bffsi_/);
    expect(claimsOf(backendBearer("/auth/token/refresh")!).actor_id).toBe("cus_123");
    const session = await t.call("post", "/auth/session", {
      cookie,
      auth: `Bearer ${refreshed.body.token as string}`,
    });
    expect(session.body.user.id).toBe("cus_123");
    expect((await t.call("post", "/auth/token/refresh")).status).toBe(401);
  });
});

describe("a backend token that does not verify with `keys` (a misconfigured BFF)", () => {
  const MISCONFIGURED = {
    type: "unexpected_state",
    message: "The sign-in could not be completed.",
  };

  function logged() {
    const lines: string[] = [];
    const logger = { debug() {}, warn() {}, error: (_o: object, m: string) => lines.push(m) };
    return { lines, logger };
  }

  it("a sign-in answers 500 with a log line, and starts no session", async () => {
    const { lines, logger } = logged();
    const t = bff({ keys: hmacSecret("not-the-backends-secret-but-32-bytes-long"), logger });
    const res = await t.call("post", "/auth/customer/emailpass", { body: RIGHT });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(MISCONFIGURED);
    expect(setCookie(res.headers)).toBeUndefined();
    expect(lines).toContain(
      "bff-session: a token from the backend does not verify with the `keys` option",
    );
  });

  it("the SDK's refresh answers the same 500, and the session keeps its token", async () => {
    const { lines, logger } = logged();
    const t = bff({ logger });
    const { cookie } = await logIn(t);
    backend.state.refresh = "foreign-key"; // reset before the next test
    const res = await t.call("post", "/auth/token/refresh", { cookie });
    expect(res.status).toBe(500);
    expect(res.body).toEqual(MISCONFIGURED);
    expect(setCookie(res.headers)).toBeUndefined();
    expect(lines).toContain(
      "bff-session: a token from the backend does not verify with the `keys` option",
    );
    expect((await t.call("get", "/store/customers/me", { cookie })).status).toBe(200);
  });
});

describe("failed password sign-ins are limited", () => {
  it("10 failures for one account, then 429 with Retry-After and nothing forwarded", async () => {
    const t = bff();
    for (let i = 0; i < 10; i++) {
      const res = await t.call("post", "/auth/customer/emailpass", {
        // Case and spaces do not make another account.
        body: { ...WRONG, email: i % 2 ? " JO@example.com" : "jo@example.com" },
      });
      expect(res.status).toBe(401);
    }
    const forwarded = backend.seen.length;
    const limited = await t.call("post", "/auth/customer/emailpass", { body: RIGHT });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      message: "Too many sign-in attempts. Try again later.",
      type: "not_allowed",
    });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(800);
    expect(Number(limited.headers["retry-after"])).toBeLessThanOrEqual(900);
    expect(backend.seen).toHaveLength(forwarded);
    expect(t.events).toContainEqual(
      expect.objectContaining({ type: "signin.limited", by: "identifier" }),
    );
    // Another account from the same IP is not held up by this one.
    expect((await logIn(t, { ...RIGHT, email: "ann@example.com" })).res.status).toBe(200);
  });

  it("a success clears the account's failures; other answers (5xx) count as none", async () => {
    const t = bff({
      upstream: {
        baseUrl: backend.url,
        signInLimits: { identifier: { attempts: 3 } },
      },
    });
    for (let i = 0; i < 2; i++) await t.call("post", "/auth/customer/emailpass", { body: WRONG });
    expect((await logIn(t)).res.status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await t.call("post", "/auth/customer/emailpass", { body: WRONG })).status).toBe(401);
    expect((await t.call("post", "/auth/customer/emailpass", { body: WRONG })).status).toBe(429);
    for (let i = 0; i < 5; i++) {
      const down = { email: "down@example.com", password: "x" };
      expect((await t.call("post", "/auth/customer/emailpass", { body: down })).status).toBe(503);
    }
  });

  it("per IP: req.ip through the app's trust proxy, never a raw X-Forwarded-For", async () => {
    const t = bff({
      upstream: { baseUrl: backend.url, signInLimits: { ip: { attempts: 3, window: "1m" } } },
    });
    const from = (ip: string, n: number) =>
      t.call("post", "/auth/customer/emailpass", {
        body: { ...WRONG, email: `user${n}@example.com` },
        ip,
      });
    for (let i = 0; i < 3; i++) expect((await from("203.0.113.7", i)).status).toBe(401);
    const limited = await from("203.0.113.7", 9);
    expect(limited.status).toBe(429);
    expect(t.events).toContainEqual(expect.objectContaining({ type: "signin.limited", by: "ip" }));
    expect((await from("203.0.113.8", 10)).status).toBe(401);

    // Without trust proxy the header is the client's to choose: it is ignored.
    const strict = bff({
      upstream: { baseUrl: backend.url, signInLimits: { ip: { attempts: 3 } } },
    });
    strict.app.set("trust proxy", false);
    for (let i = 0; i < 3; i++)
      await strict.call("post", "/auth/customer/emailpass", {
        body: { ...WRONG, email: `u${i}@example.com` },
        ip: `198.51.100.${i}`,
      });
    const spoofed = await strict.call("post", "/auth/customer/emailpass", {
      body: { ...WRONG, email: "u9@example.com" },
      ip: "198.51.100.99",
    });
    expect(spoofed.status).toBe(429);
  });

  it("signInLimits: false turns the limits off", async () => {
    const t = bff({ upstream: { baseUrl: backend.url, signInLimits: false } });
    for (let i = 0; i < 12; i++)
      expect((await t.call("post", "/auth/customer/emailpass", { body: WRONG })).status).toBe(401);
  });
});

/** Two routers (instances) on one store backend: a limit reached on one holds on the other. */
async function sharedCount(store: () => SessionStore) {
  const options = {
    upstream: {
      baseUrl: backend.url,
      // Shared stores need a shared key for the counters (the same on every instance).
      signInLimits: { identifier: { attempts: 4 }, secret: "a-signin-counter-key-32-chars-long!!" },
    },
  };
  const a = bff(options, store());
  const b = bff(options, store());
  const email = `shared-${Math.random()}@example.com`;
  for (const t of [a, b, a, b]) {
    const res = await t.call("post", "/auth/customer/emailpass", { body: { ...WRONG, email } });
    expect(res.status).toBe(401);
  }
  const res = await b.call("post", "/auth/customer/emailpass", { body: { ...RIGHT, email } });
  expect(res.status).toBe(429);
}

describeRedis("the count is shared through Redis", () => {
  const prefix = uniquePrefix("attempts");
  const clients = useRedisClients(prefix);
  it("ioredis", () => sharedCount(() => new RedisSessionStore({ client: clients.io, prefix })));
  it("node-redis", () =>
    sharedCount(() => new RedisSessionStore({ client: clients.node, prefix: `${prefix}n:` })));
});

describePostgres("the count is shared through PostgreSQL", () => {
  const db = usePostgres("attempts");
  it("PostgresSessionStore", () =>
    sharedCount(
      () => new PostgresSessionStore({ pool: db.pool, table: db.table, sweepInterval: 0 }),
    ));
});
