/**
 * createUpstream(): the `upstream` options turned into the backend side, built once — the
 * sign-in routes with their attempt limits, the refresh, the customer store, the cart rules,
 * the secrets check, the health probe and close() — each shown working against a stand-in
 * backend, as the options say. The options themselves are validated in __tests__/options.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import type { Request } from "express";
import express from "express";
import request from "supertest";
import { accountChanges } from "../../lib/account/account-changes.js";
import { customerLoader } from "../../lib/customers/load-customer.js";
import { SessionStoreError } from "../../lib/errors/errors.js";
import {
  CHANNELS,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type SessionRouterOptions,
  type SessionStore,
} from "../../lib/index.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import type { RouteDeps } from "../../lib/routes/deps.js";
import { customerToken, OpenedTokens } from "../../lib/session/customer-token.js";
import { createUpstream, type Upstream } from "../../lib/upstream/create-upstream.js";
import { SECRET, signToken, type Clock } from "../helpers.js";
import { wireSessions } from "../support/sessions.js";
import { RIGHT, WRONG } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const MINUTE = 60_000;
const COOKIE_SECRET = "cookie-secret-that-is-at-least-32-bytes!";

let health = 200;
const backend = stubBackend({
  routes: (app) => void app.get("/health", (_req, res) => void res.status(health).end()),
});
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => {
  backend.reset();
  health = 200;
});

let built: Upstream[] = [];
afterEach(async () => {
  // The close() test has closed its own already.
  await Promise.all(built.map((u) => u.close().catch(() => {})));
  built = [];
});

/**
 * Real time moved on by `advance`: the stub backend signs the tokens it issues with the real
 * time, and the BFF accepts none issued later than its own now (clockTolerance 0).
 */
function realClock(): Clock {
  let offset = 0;
  const now = () => Date.now() + offset;
  return {
    now,
    seconds: () => Math.floor(now() / 1000),
    advance(ms: number) {
      offset += ms;
    },
  };
}

type Given = Partial<SessionRouterOptions> & {
  upstreamExtra?: Partial<NonNullable<SessionRouterOptions["upstream"]>>;
};

/** The backend side as createSessionRouter builds it, on a clock and logger of the test's. */
function build({ upstreamExtra, ...given }: Given = {}) {
  const clock = realClock();
  const options = resolveOptions({
    keys: hmacSecret(SECRET),
    upstream: { baseUrl: backend.url, publishableKey: "pk_bff", ...upstreamExtra },
    now: clock.now,
    logger: false,
    ...given,
  });
  const { store, guarded, events, report, logger, sessions, policy, failure } = wireSessions(
    options,
    clock.now,
  );
  const base = { sessions, policy, options, failure, logger };
  const account = accountChanges({ ...base, store: guarded, report });
  const upstream = createUpstream({
    ...base,
    store,
    opened: new OpenedTokens(),
    report,
    account,
    upstream: options.upstream!,
  });
  built.push(upstream);
  const route: RouteDeps = {
    ...base,
    loadCustomer: customerLoader(upstream.customers, report, logger),
    customerTokens: upstream.customerTokens,
    cart: upstream.cart,
  };
  const app = express();
  app.use(upstream.signInRoutes(route));
  app.use(upstream.storeApi(route)());
  app.use(errorHandler({ onError: false }));
  return { upstream, app, clock, events, logger, store, sessions };
}

/** A MemorySessionStore's methods, but not the store itself (so a shared one), and no attemptCounter. */
function withoutAttemptCounter(inner = new MemorySessionStore({ sweepInterval: 0 })): SessionStore {
  return {
    get: (id) => inner.get(id),
    set: (id, record, limits) => inner.set(id, record, limits),
    touch: (id, record) => inner.touch(id, record),
    destroy: (id) => inner.destroy(id),
    listByCustomer: (customerId) => inner.listByCustomer(customerId),
    consumeTokenId: (tokenId, until) => inner.consumeTokenId(tokenId, until),
    getRecord: (key) => inner.getRecord(key),
    setRecord: (key, value, until) => inner.setRecord(key, value, until),
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));
const signIns = () => backend.seen.filter((s) => s.url === "/auth/customer/emailpass").length;

describe("the sign-in routes", () => {
  it("keep the backend's token in a session, verified with `keys`, and report signin.succeeded", async () => {
    const t = build();
    const res = await request(t.app).post("/auth/customer/emailpass").send(RIGHT);
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^bffsi_/);
    expect(t.events).toContainEqual({
      type: "signin.succeeded",
      sessionId: expect.any(String),
      customerId: "cus_123",
      pending: false,
    });
  });

  it("count failed sign-ins against upstream.signInLimits: past the limit 429, and nothing reaches the backend", async () => {
    const t = build({ upstreamExtra: { signInLimits: { identifier: { attempts: 2 } } } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await request(t.app).post("/auth/customer/emailpass").send(WRONG)).status);
    expect(statuses).toEqual([401, 401, 429]);
    expect(signIns()).toBe(2);
  });

  it("count nothing with signInLimits: false", async () => {
    const t = build({ upstreamExtra: { signInLimits: false } });
    const statuses = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await request(t.app).post("/auth/customer/emailpass").send(WRONG)).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(signIns()).toBe(12);
  });
});

describe("a store without attemptCounter()", () => {
  it("with signInLimits on: one warning at setup that failures are counted per process", () => {
    const t = build({ sessions: withoutAttemptCounter(), cookie: { secret: COOKIE_SECRET } });
    const warnings = t.logger.warn.mock.calls.map(([, message]) => String(message));
    expect(warnings.filter((m) => m.includes("attemptCounter"))).toEqual([
      expect.stringMatching(/counted per process, not shared between instances/),
    ]);
  });

  it("with signInLimits: false, or a store that counts, no warning", () => {
    const off = build({
      sessions: withoutAttemptCounter(),
      cookie: { secret: COOKIE_SECRET },
      upstreamExtra: { signInLimits: false },
    });
    const counting = build();
    expect([...off.logger.warn.mock.calls, ...counting.logger.warn.mock.calls]).toEqual([]);
  });
});

describe("customerTokens", () => {
  /** A session keeping a token issued now, valid an hour; the clock then moves `later` ms. */
  async function keptToken(t: ReturnType<typeof build>, later: number) {
    const jwt = await signToken(t.clock);
    const claims = { iat: t.clock.seconds(), exp: t.clock.seconds() + 3600 };
    const started = await t.sessions.start("cus_123", { headers: {} } as Request, {
      customerToken: customerToken(jwt, claims, t.clock.now()),
    });
    t.clock.advance(later);
    const token = await t.upstream.customerTokens.forUse(
      { token: started.token, id: started.id },
      started.record,
    );
    return { jwt, token };
  }

  it.each<[string, Given["upstreamExtra"], number, boolean]>([
    [
      "a token with less than a quarter of its life left is refreshed at the backend",
      {},
      46 * MINUTE,
      true,
    ],
    ["a token with more than a quarter of its life left is used as kept", {}, 44 * MINUTE, false],
    [
      "with refresh: { remaining: 0.5 }, one with less than half left is refreshed",
      { refresh: { remaining: 0.5 } },
      31 * MINUTE,
      true,
    ],
    [
      "with refresh: false, one with a minute left is used as kept",
      { refresh: false },
      59 * MINUTE,
      false,
    ],
  ])("%s", async (_, upstreamExtra, later, refreshed) => {
    const t = build({ upstreamExtra });
    const { jwt, token } = await keptToken(t, later);
    expect(backend.state.refreshes).toBe(refreshed ? 1 : 0);
    if (refreshed) expect(token).not.toBe(jwt);
    else expect(token).toBe(jwt);
  });
});

describe("the customer store", () => {
  it("reads GET /store/customers/me as the customer, with upstream.publishableKey", async () => {
    const t = build();
    const jwt = await signToken(t.clock);
    const customer = await t.upstream.customers.retrieve("cus_123", {
      req: {} as Request,
      claims: undefined,
      token: jwt,
    });
    expect(customer).toMatchObject({ id: "cus_123", email: "jane@example.com" });
    expect(backend.last()).toMatchObject({
      method: "GET",
      url: "/store/customers/me",
      headers: { authorization: `Bearer ${jwt}`, "x-publishable-api-key": "pk_bff" },
    });
  });
});

describe("the cart rules", () => {
  it("guard by default: a cart id the browser does not hold is 404, never forwarded", async () => {
    const t = build();
    const res = await request(t.app).get("/store/carts/cart_0001");
    expect(res.status).toBe(404);
    expect(res.body.type).toBe("not_found");
    expect(backend.seen).toEqual([]);
  });

  it("with cart: { guard: false }, forward any cart id", async () => {
    const t = build({ cart: { guard: false } });
    const res = await request(t.app).get("/store/carts/cart_0001");
    expect(res.status).toBe(200);
    expect(backend.last().url).toBe("/store/carts/cart_0001");
  });
});

describe("checkSecrets()", () => {
  it("runs at setup with a secret given: the store holds this instance's fingerprint", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    build({ sessions: store, cookie: { secret: COOKIE_SECRET } });
    await settled();
    expect(await store.getRecord("secrets:check")).toMatch(/^[\w-]{43}$/);
  });

  it("has nothing to compare without a secret (a per-process key)", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const t = build({ sessions: store });
    await t.upstream.checkSecrets();
    expect(await store.getRecord("secrets:check")).toBeNull();
  });

  it("never rejects: a store that fails is a warning, and the next check tries again", async () => {
    const inner = new MemorySessionStore({ sweepInterval: 0 });
    const store = withoutAttemptCounter(inner);
    let failing = true;
    store.getRecord = async (key) => {
      if (failing) throw new Error("connection lost");
      return inner.getRecord(key);
    };
    const t = build({
      sessions: store,
      cookie: { secret: COOKIE_SECRET },
      upstreamExtra: { signInLimits: false },
    });
    await settled();
    await expect(t.upstream.checkSecrets()).resolves.toBeUndefined();
    expect(t.logger.warn).toHaveBeenCalledTimes(2);
    expect(t.logger.warn).toHaveBeenCalledWith(
      { err: expect.any(SessionStoreError) },
      expect.stringMatching(/secrets check could not use the store/),
    );
    expect(t.events).toContainEqual(
      expect.objectContaining({ type: "store.error", operation: "getRecord" }),
    );
    failing = false;
    await t.upstream.checkSecrets();
    expect(await inner.getRecord("secrets:check")).toMatch(/^[\w-]{43}$/);
  });
});

describe("probe()", () => {
  it.each([200, 404, 499])("resolves when GET /health answers %i", async (status) => {
    health = status;
    await expect(build().upstream.probe()).resolves.toBeUndefined();
    expect(backend.last()).toMatchObject({ method: "GET", url: "/health" });
  });

  it.each([500, 503])("rejects naming the status when GET /health answers %i", async (status) => {
    health = status;
    await expect(build().upstream.probe()).rejects.toThrow(`GET /health answered ${status}`);
  });

  it("rejects when the backend cannot be reached", async () => {
    const t = build({ upstreamExtra: { baseUrl: "http://127.0.0.1:9" } });
    await expect(t.upstream.probe()).rejects.toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
  });

  it("is not traced as a forwarded request", async () => {
    const traced: unknown[] = [];
    const handlers = {
      start: (message: unknown) => void traced.push(message),
      end() {},
      asyncStart() {},
      asyncEnd() {},
      error() {},
    };
    const channel = diagnosticsChannel.tracingChannel(CHANNELS.forward);
    channel.subscribe(handlers);
    try {
      const t = build();
      await t.upstream.probe();
      expect(traced).toEqual([]);
      // A forwarded request is, on the same channel.
      await request(t.app).get("/store/products");
      expect(traced).toHaveLength(1);
    } finally {
      channel.unsubscribe(handlers);
    }
  });
});

describe("close()", () => {
  it("releases the backend connections: no call goes out afterwards", async () => {
    const t = build();
    await t.upstream.probe();
    await t.upstream.close();
    await expect(t.upstream.probe()).rejects.toThrow();
    expect(backend.seen).toHaveLength(1);
  });
});
