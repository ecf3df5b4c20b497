// One benchmark server per process: `node bench/servers.mjs <case>`. It listens on 127.0.0.1,
// prepares what its requests need (a session cookie, a bearer token) and reports both to the
// parent over IPC. Every case answers the same small JSON body.
import { randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { PerformanceObserver } from "node:perf_hooks";
import cookieParser from "cookie-parser";
import express from "express";
import session from "express-session";
import RedisStore from "connect-redis";
import connectPgSimple from "connect-pg-simple";
import Redis from "ioredis";
import pg from "pg";
import { Pool } from "undici";
import { DATABASE_URL } from "../scripts/test-database.cjs";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import {
  CHANNELS,
  createSessionRouter,
  hmacSecret,
  MemorySessionStore,
  PostgresSessionStore,
  RedisSessionStore,
  remoteJwks,
} from "bff-session";

const name = process.argv[2];
const SECRET = "bench-secret-that-is-at-least-32-bytes-long";
const KEY = new TextEncoder().encode(SECRET);
// The floors verify with a key imported once, as a careful hand-written login would (jose
// given the raw bytes imports them on every verify), and as hmacSecret() does.
const VERIFY_KEY = await crypto.subtle.importKey(
  "raw",
  KEY,
  { name: "HMAC", hash: "SHA-256" },
  false,
  ["verify"],
);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const PREFIX = `bffbench:${process.pid}:`;
const TABLE = `bff_bench_${process.pid}`;
const BODY = { customer_id: "cus_123" };
const CUSTOMER = {
  id: "cus_123",
  email: "jane@example.com",
  first_name: "Jane",
  last_name: "Doe",
  addresses: [],
};
const customers = {
  retrieve: async (id) =>
    id.startsWith("cus_") ? (id === CUSTOMER.id ? CUSTOMER : { ...CUSTOMER, id }) : null,
};

const hs256 = (customerId = "cus_123") =>
  new SignJWT({ actor_id: customerId, actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(KEY);

let redis;
const redisClient = () =>
  (redis ??= new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 }));
let pool;
const pgPool = () => (pool ??= new pg.Pool({ connectionString: DATABASE_URL, max: 10 }));
async function postgresStore() {
  const store = new PostgresSessionStore({ pool: pgPool(), table: TABLE, sweepInterval: 0 });
  await store.createTable();
  return store;
}

const app = express();
app.disable("x-powered-by");
app.disable("etag");
const prepare = { cookie: undefined, authorizations: undefined };

/**
 * The logins every POST case sends: tokens of CUSTOMERS different customers, in turn, as real
 * sign-ins are spread over many accounts. Enough of them that no customer reaches the cap of 10
 * live sessions in a full run (up to about 80,000 logins per case): at the cap, each login also
 * ends the customer's oldest session (one more store call), which real sign-ins rarely meet and
 * the floors never pay. BENCH_CUSTOMERS=1 measures that worst case.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 20_000);
async function loginTokens() {
  prepare.authorizations = await Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => `Bearer ${await hs256(`cus_${i}`)}`),
  );
}

async function bffRouter(store, keys = hmacSecret(SECRET)) {
  const router = createSessionRouter({
    keys,
    customers,
    sessions: store,
    csrf: false,
  });
  app.use(router);
  app.get("/me", router.authenticate(), (req, res) => res.json(BODY));
  return router;
}

async function loginCookie(base) {
  const res = await fetch(`${base}/auth/session`, {
    method: "POST",
    headers: { authorization: `Bearer ${await hs256()}` },
  });
  if (res.status !== 200) throw new Error(`bench setup: login answered ${res.status}`);
  return res.headers.get("set-cookie").split(";")[0];
}

const BACKEND = process.env.BENCH_BACKEND_URL;
const CUSTOMER_JSON = JSON.stringify({ customer: CUSTOMER });
// A product list of 8 KiB, as a storefront's catalogue page asks for.
const PRODUCTS_JSON = JSON.stringify({
  products: Array.from({ length: 24 }, (_, i) => ({
    id: `prod_01J${String(i).padStart(23, "0")}`,
    title: `Product ${i}`,
    handle: `product-${i}`,
    description: "x".repeat(220),
  })),
});

/** The hand-written floor of forwarding: undici, `headers` added, status, type and body passed. */
function minimumForwarder(headers) {
  const pool = new Pool(BACKEND, { connections: 128 });
  return async (req, res) => {
    try {
      const answer = await pool.request({ path: req.url, method: "GET", headers });
      res.status(answer.statusCode);
      res.setHeader("Content-Type", answer.headers["content-type"]);
      answer.body.pipe(res);
    } catch {
      res.status(502).end();
    }
  };
}

/** bff-session in front of the backend stand-in: its session routes and `storeApi()`. */
function mountStoreApi() {
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    upstream: { baseUrl: BACKEND, publishableKey: "pk_bench" },
    csrf: false,
  });
  app.use(router);
  app.use(router.storeApi());
}

/**
 * A subscriber on every channel, doing nothing with what it gets: what an APM or an audit log
 * adds, without its own work. The `-observed` cases measure the channels' cost when someone
 * listens; their plain twins, the cost when nobody does.
 */
function subscribeToEveryChannel() {
  const noop = () => {};
  for (const name of [CHANNELS.forward, CHANNELS.refresh]) {
    diagnosticsChannel
      .tracingChannel(name)
      .subscribe({ start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop });
  }
  for (const [key, name] of Object.entries(CHANNELS)) {
    if (key !== "forward" && key !== "refresh") diagnosticsChannel.subscribe(name, noop);
  }
}

const cases = {
  // The commerce backend stand-in the forwarding cases call (and, measured directly, the
  // ceiling of forwarding): GET /store/customers/me answers the customer.
  async "backend-direct"() {
    app.get("/store/customers/me", (_req, res) => {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(CUSTOMER_JSON);
    });
    app.get("/store/products", (_req, res) => {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      res.end(PRODUCTS_JSON);
    });
    return { path: "/store/customers/me" };
  },
  // The hand-written floor of forwarding a guest's 8 KiB product list: undici, streamed.
  async "minimum-forward-8k"() {
    app.get("/store/products", minimumForwarder({}));
    return { path: "/store/products" };
  },
  async "bff-forward-8k"() {
    mountStoreApi();
    return { path: "/store/products" };
  },
  // The hand-written floor of forwarding: undici, the bearer added, status, type and body passed.
  async "minimum-forward"() {
    const token = await hs256();
    app.get("/store/customers/me", minimumForwarder({ authorization: `Bearer ${token}` }));
    return { path: "/store/customers/me" };
  },
  async "bff-forward"(base) {
    mountStoreApi();
    return {
      path: "/store/customers/me",
      after: async () => (prepare.cookie = await loginCookie(base)),
    };
  },
  async "bff-forward-observed"(base) {
    subscribeToEveryChannel();
    return cases["bff-forward"](base);
  },
  async ceiling() {
    app.get("/me", (_req, res) => res.json(BODY));
    return { path: "/me" };
  },
  async "minimum-get"() {
    const sessions = new Map([["opaque-session-id-0123456789abcdef", { customerId: "cus_123" }]]);
    app.use(cookieParser());
    app.get("/me", (req, res) => {
      const s = sessions.get(req.cookies.sid);
      if (s === undefined) return void res.status(401).send("Unauthorized");
      res.json(BODY);
    });
    prepare.cookie = "sid=opaque-session-id-0123456789abcdef";
    return { path: "/me" };
  },
  async "minimum-get-redis"() {
    // The hand-written floor on Redis: cookie-parser, one GET, JSON.parse, a deadline check.
    const client = redisClient();
    const id = randomBytes(32).toString("base64url");
    await client.set(
      `${PREFIX}${id}`,
      JSON.stringify({ customerId: "cus_123", expiresAt: Date.now() + 3600_000 }),
      "PX",
      3600_000,
    );
    app.use(cookieParser());
    app.get("/me", async (req, res) => {
      const raw = await client.get(`${PREFIX}${req.cookies.sid}`);
      const s = raw === null ? undefined : JSON.parse(raw);
      if (s === undefined || s.expiresAt <= Date.now())
        return void res.status(401).send("Unauthorized");
      res.json(BODY);
    });
    prepare.cookie = `sid=${id}`;
    return { path: "/me" };
  },
  async "bff-get-memory"(base) {
    await bffRouter(new MemorySessionStore());
    return { path: "/me", after: async () => (prepare.cookie = await loginCookie(base)) };
  },
  async "bff-get-redis"(base) {
    await bffRouter(new RedisSessionStore({ client: redisClient(), prefix: PREFIX }));
    return { path: "/me", after: async () => (prepare.cookie = await loginCookie(base)) };
  },
  async "bff-get-postgres"(base) {
    await bffRouter(await postgresStore());
    return { path: "/me", after: async () => (prepare.cookie = await loginCookie(base)) };
  },
  async "express-session-get-postgres"(base) {
    expressSession(await pgSimpleStore());
    return { path: "/me", after: async () => (prepare.cookie = await expressSessionCookie(base)) };
  },
  async "express-session-get-memory"(base) {
    expressSession(new session.MemoryStore());
    return { path: "/me", after: async () => (prepare.cookie = await expressSessionCookie(base)) };
  },
  async "express-session-get-redis"(base) {
    expressSession(new RedisStore({ client: redisClient(), prefix: PREFIX }));
    return { path: "/me", after: async () => (prepare.cookie = await expressSessionCookie(base)) };
  },
  async "minimum-post"() {
    const sessions = new Map();
    app.post("/auth/session", async (req, res) => {
      try {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const { payload } = await jwtVerify(token, VERIFY_KEY, { algorithms: ["HS256"] });
        const id = randomBytes(32).toString("base64url");
        sessions.set(id, { customerId: payload.actor_id });
        if (sessions.size > 100_000) sessions.delete(sessions.keys().next().value);
        res.setHeader("Set-Cookie", `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
        res.json({ user: CUSTOMER });
      } catch {
        res.status(401).send("Unauthorized");
      }
    });
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "minimum-post-redis"() {
    // The hand-written login floor on Redis: jose verify, a random id, one SET PX, a cookie.
    const client = redisClient();
    app.post("/auth/session", async (req, res) => {
      try {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const { payload } = await jwtVerify(token, VERIFY_KEY, { algorithms: ["HS256"] });
        const id = randomBytes(32).toString("base64url");
        await client.set(
          `${PREFIX}${id}`,
          JSON.stringify({ customerId: payload.actor_id }),
          "PX",
          3600_000,
        );
        res.setHeader("Set-Cookie", `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
        res.json({ user: CUSTOMER });
      } catch {
        res.status(401).send("Unauthorized");
      }
    });
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "bff-post-memory"() {
    await bffRouter(new MemorySessionStore());
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "bff-post-memory-observed"() {
    subscribeToEveryChannel();
    return cases["bff-post-memory"]();
  },
  async "bff-post-redis"() {
    await bffRouter(new RedisSessionStore({ client: redisClient(), prefix: PREFIX }));
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "express-session-post-redis"() {
    expressSession(new RedisStore({ client: redisClient(), prefix: PREFIX }));
    expressSessionLogin();
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "bff-post-postgres"() {
    await bffRouter(await postgresStore());
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "express-session-post-postgres"() {
    expressSession(await pgSimpleStore());
    expressSessionLogin();
    await loginTokens();
    return { path: "/auth/session", method: "POST" };
  },
  async "bff-post-es256-jwks"(base) {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "ES256" };
    app.get("/.well-known/jwks.json", (_req, res) => res.json({ keys: [jwk] }));
    await bffRouter(new MemorySessionStore(), remoteJwks(new URL(`${base}/.well-known/jwks.json`)));
    prepare.authorizations = await Promise.all(
      Array.from({ length: CUSTOMERS }, async (_, i) => {
        const token = await new SignJWT({ actor_id: `cus_${i}`, actor_type: "customer" })
          .setProtectedHeader({ alg: "ES256", kid: "bench" })
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey);
        return `Bearer ${token}`;
      }),
    );
    return { path: "/auth/session", method: "POST" };
  },
};

/** connect-pg-simple, as an express-session team on PostgreSQL runs it (its documented table). */
async function pgSimpleStore() {
  const table = `${TABLE}_pgsimple`;
  await pgPool().query(
    `CREATE TABLE IF NOT EXISTS ${table} (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL);
     CREATE INDEX IF NOT EXISTS ${table}_expire ON ${table} (expire)`,
  );
  const PgStore = connectPgSimple(session);
  return new PgStore({ pool: pgPool(), tableName: table });
}

/** The login a team on express-session writes: jose verify, regenerate, store the customer. */
function expressSessionLogin() {
  app.post("/auth/session", async (req, res, next) => {
    try {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const { payload } = await jwtVerify(token, VERIFY_KEY, { algorithms: ["HS256"] });
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.customerId = payload.actor_id;
        res.json({ user: CUSTOMER });
      });
    } catch {
      res.status(401).send("Unauthorized");
    }
  });
}

function expressSession(store) {
  app.use(
    session({
      store,
      secret: SECRET,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: "lax" },
    }),
  );
  app.post("/login", (req, res) => {
    req.session.customerId = "cus_123";
    res.json(BODY);
  });
  app.get("/me", (req, res) => {
    if (req.session.customerId === undefined) return void res.status(401).send("Unauthorized");
    res.json(BODY);
  });
}

async function expressSessionCookie(base) {
  const res = await fetch(`${base}/login`, { method: "POST" });
  return res.headers.get("set-cookie").split(";")[0];
}

const setup = cases[name];
if (setup === undefined) {
  console.error(`unknown case ${name}; one of: ${Object.keys(cases).join(", ")}`);
  process.exit(2);
}
const server = app.listen(0, "127.0.0.1", async () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  // Routes are added before the server takes traffic, except the setup request's own.
  const plan = await setup(base);
  await plan.after?.();
  process.send({
    type: "ready",
    url: `${base}${plan.path}`,
    method: plan.method ?? "GET",
    ...prepare,
  });
});

// Time spent in garbage collection so far (ms): how much of a case's CPU is the collector's.
let gcMs = 0;
let majorGcs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    if (entry.detail?.kind === 4) majorGcs++; // NODE_PERFORMANCE_GC_MAJOR
  }
}).observe({ entryTypes: ["gc"] });

process.on("message", async (message) => {
  // Server CPU time so far, for µs per request: steadier than req/s on a shared machine.
  if (message === "cpu")
    return void process.send({ type: "cpu", usage: process.cpuUsage(), gcMs, majorGcs });
  if (message !== "stop") return;
  if (pool !== undefined) {
    await pool.query(`DROP TABLE IF EXISTS ${TABLE}, ${TABLE}_used_tokens, ${TABLE}_pgsimple`);
    await pool.end();
  }
  if (redis !== undefined) {
    const keys = await redis.keys(`${PREFIX}*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
  }
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
