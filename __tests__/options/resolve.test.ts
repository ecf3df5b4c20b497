import session from "express-session";
import {
  fromExpressSessionStore,
  MemorySessionStore,
  upstreamCustomerStore,
} from "../../lib/index.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import { fullStore } from "../support/fake-stores.js";
import { base, errorOf, withUpstream } from "./support.js";

const KEY = "a-sign-in-counter-key-of-32-chars!!";
const COOKIE_KEY = "a-cookie-signing-key-of-32-chars-long";

describe("resolveOptions builds nothing", () => {
  it("leaves absent stores undefined, for the router to make", () => {
    const { sessions, ...rest } = base();
    expect(resolveOptions(rest).sessions).toBeUndefined();
    const { customers, ...withoutCustomers } = withUpstream();
    void customers;
    void sessions;
    expect(resolveOptions(withoutCustomers).customers).toBeUndefined();
  });

  it("keeps the given stores as they are (class instances with private state work)", () => {
    const options = base();
    const resolved = resolveOptions(options);
    expect(resolved.sessions).toBe(options.sessions);
    expect(resolved.customers).toBe(options.customers);
  });

  it("returns frozen data, all the way down", () => {
    const r = resolveOptions(withUpstream());
    for (const part of [
      r,
      r.token,
      r.cookie,
      r.cookie.secrets,
      r.lifetime,
      r.limits,
      r.upstream,
      r.capabilities,
      r.secrets,
      r.secrets.cartCookie,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    const limits = r.upstream!.signInLimits;
    expect(limits !== false && Object.isFrozen(limits) && Object.isFrozen(limits.ip)).toBe(true);
  });
});

describe("upstream, resolved", () => {
  it("durations in milliseconds and sizes in bytes, from the defaults", () => {
    expect(resolveOptions(withUpstream()).upstream).toMatchObject({
      baseUrl: new URL("http://127.0.0.1:9000/"),
      timeout: 10_000,
      connections: 128,
      queueTimeout: 3_000,
      maxBodySize: 1_048_576,
      clientBodyTimeout: 10_000,
      bufferSize: 1_048_576,
      spillSize: 1_073_741_824,
      spillTotal: 1_073_741_824,
      sendTimeout: 10_000,
      refresh: { remaining: 0.25 },
    });
  });

  it("and from the options given, in seconds or as strings", () => {
    const upstream = resolveOptions(
      withUpstream({
        baseUrl: "https://api.example.com/v2",
        connections: 16,
        queueTimeout: 1,
        maxBodySize: 2048,
        clientBodyTimeout: "500ms",
        bufferSize: 4096,
        spillSize: 0,
        spillTotal: 0,
        sendTimeout: "1m",
        refresh: false,
      }),
    ).upstream!;
    expect(upstream).toMatchObject({
      connections: 16,
      queueTimeout: 1_000,
      maxBodySize: 2048,
      clientBodyTimeout: 500,
      bufferSize: 4096,
      spillSize: 0,
      spillTotal: 0,
      sendTimeout: 60_000,
      refresh: false,
    });
    expect(upstream.baseUrl.href).toBe("https://api.example.com/v2/");
  });

  it("is undefined without the option", () => {
    expect(resolveOptions(base()).upstream).toBeUndefined();
  });
});

describe("the BFF's own secrets, resolved once", () => {
  const secretsOf = (options: object) => resolveOptions(options).secrets;
  const LIMITS_KEY = "limits-secret-that-is-at-least-32-bytes!";

  it("hash: upstream.signInLimits.secret (the first of a list), else the first cookie.secret", () => {
    expect(secretsOf(withUpstream({ signInLimits: { secret: KEY } })).hash).toBe(KEY);
    expect(secretsOf(withUpstream({ signInLimits: { secret: [KEY, COOKIE_KEY] } })).hash).toBe(KEY);
    const cookie = { cookie: { secret: [COOKIE_KEY, KEY] } };
    expect(secretsOf({ ...withUpstream(), ...cookie }).hash).toBe(COOKIE_KEY);
    expect(secretsOf({ ...withUpstream(), ...cookie, sessions: fullStore() }).hash).toBe(
      COOKIE_KEY,
    );
    expect(secretsOf({ ...withUpstream({ signInLimits: false }), ...cookie }).hash).toBe(
      COOKIE_KEY,
    );
  });

  it("cartCookie: every cookie.secret (rotation), else the signInLimits.secrets", () => {
    const both = {
      ...withUpstream({ signInLimits: { secret: LIMITS_KEY } }),
      cookie: { secret: [COOKIE_KEY, KEY] },
    };
    expect(secretsOf(both).cartCookie).toEqual([COOKIE_KEY, KEY]);
    const limitsOnly = {
      ...withUpstream({ signInLimits: { secret: LIMITS_KEY } }),
      sessions: fullStore(),
    };
    expect(secretsOf(limitsOnly)).toEqual({
      hash: LIMITS_KEY,
      cartCookie: [LIMITS_KEY],
      given: true,
    });
  });

  it("one random key of this process for both, with the memory store, given or the default", () => {
    const given = secretsOf(withUpstream());
    expect(given.given).toBe(false);
    expect(given.hash).toMatch(/^[\w-]{43}$/);
    expect(given.cartCookie).toEqual([given.hash]);
    const { sessions, ...noStore } = withUpstream();
    void sessions;
    const other = secretsOf(noStore);
    expect(other.cartCookie).toEqual([other.hash]);
    expect(other.hash).not.toBe(given.hash);
  });

  it("with upstream and a shared store, a missing secret is a TypeError naming both options", () => {
    for (const signInLimits of [undefined, false, { ip: { attempts: 3 } }] as const) {
      const error = errorOf({ ...withUpstream({ signInLimits }), sessions: fullStore() });
      expect(error.message).toMatch(/^option "cookie\.secret" is missing \(received undefined\)/);
      expect(error.message).toContain('"upstream.signInLimits.secret"');
      expect(error.message).toContain("the sign-in attempt counts");
      expect(error.message).toContain("the guest cart cookie");
    }
  });

  it("without upstream a shared store needs none (nothing is hashed or signed)", () => {
    expect(() => secretsOf({ ...base(), sessions: fullStore() })).not.toThrow();
  });
});

describe("what the stores must be able to do", () => {
  const expressSession = () => fromExpressSessionStore(new session.MemoryStore());

  it("a store that cannot claim a value once is refused with upstream, saying why", () => {
    expect(errorOf({ ...withUpstream(), sessions: expressSession() }).message).toBe(
      'option "sessions": this store cannot claim a value once (consumeTokenId), which "upstream" needs for single-use stand-ins and de-duplicated refresh; use MemorySessionStore, RedisSessionStore or PostgresSessionStore',
    );
  });

  it("and with token.singleUse", () => {
    expect(
      errorOf({ ...base(), sessions: expressSession(), token: { singleUse: true } }).message,
    ).toMatch(/^option "sessions": .*\(consumeTokenId\), which "token\.singleUse" needs/);
  });

  it("is accepted otherwise, and what it can do is recorded", () => {
    expect(resolveOptions({ ...base(), sessions: expressSession() }).capabilities).toEqual({
      consumeTokenId: false,
      listByCustomer: true, // MemoryStore has all()
      attemptCounter: false,
      records: false,
    });
  });

  it("the default store can do everything", () => {
    const { sessions, ...rest } = base();
    void sessions;
    expect(resolveOptions(rest).capabilities).toEqual({
      consumeTokenId: true,
      listByCustomer: true,
      attemptCounter: true,
      records: true,
    });
  });
});

describe("the token and the customer store", () => {
  it("upstream keeps the token", () => {
    expect(resolveOptions(withUpstream()).token.keep).toBe(true);
    expect(resolveOptions(base()).token.keep).toBe(false);
  });

  it("a customer store that reads the backend as the customer needs token.keep", () => {
    const customers = upstreamCustomerStore({ baseUrl: "http://127.0.0.1:9000" });
    expect(errorOf({ ...base(), customers }).message).toMatch(
      /^option "token\.keep" must be true \(received undefined\): the customer store reads the backend/,
    );
    expect(resolveOptions({ ...base(), customers, token: { keep: true } }).customers).toBe(
      customers,
    );
  });

  it("durations of the claim policy are in seconds", () => {
    const token = resolveOptions({
      ...base(),
      token: { clockTolerance: "5s", maxTokenAge: "1h" },
    }).token;
    expect([token.clockTolerance, token.maxTokenAge]).toEqual([5, 3600]);
  });
});

describe("lifetimes and the cookie", () => {
  it("a default idle timeout gives way to a shorter absolute one; an explicit one may be long", () => {
    expect(resolveOptions({ ...base(), session: { absoluteTimeout: "1h" } }).lifetime).toEqual({
      idleTimeout: 3_600_000,
      absoluteTimeout: 3_600_000,
      touchInterval: 360_000,
      storeTimeout: 2_000,
    });
    const long = resolveOptions({
      ...base(),
      session: { idleTimeout: "30d", absoluteTimeout: "365d" },
    });
    expect(long.lifetime.idleTimeout).toBe(30 * 86_400_000);
  });

  it("a secure host-only cookie at / gets the __Host- prefix", () => {
    expect(resolveOptions({ ...base(), cookie: { secure: true } }).cookie.name).toBe(
      "__Host-bff.sid",
    );
    expect(resolveOptions({ ...base(), cookie: { secure: false } }).cookie.name).toBe("bff.sid");
  });

  it("csrf: on with nothing trusted by default; false turns it off", () => {
    const csrf = resolveOptions(base()).csrf;
    expect(csrf !== false && [csrf.trustedOrigins.size, csrf.allowSameSite]).toEqual([0, false]);
    expect(resolveOptions({ ...base(), csrf: false }).csrf).toBe(false);
  });
});

it("a subclass of the memory store counts as the memory store", () => {
  class Tagged extends MemorySessionStore {}
  expect(() =>
    resolveOptions({ ...withUpstream(), sessions: new Tagged({ sweepInterval: 0 }) }),
  ).not.toThrow();
});
