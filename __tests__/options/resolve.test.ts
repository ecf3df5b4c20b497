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
      sendTimeout: 60_000,
      refresh: false,
    });
    expect(upstream.baseUrl.href).toBe("https://api.example.com/v2/");
  });

  it("is undefined without the option", () => {
    expect(resolveOptions(base()).upstream).toBeUndefined();
  });
});

describe("upstream.signInLimits.secret", () => {
  const secretOf = (options: object) => {
    const limits = resolveOptions(options).upstream!.signInLimits;
    if (limits === false) throw new Error("limits are off");
    return limits.secret;
  };

  it("is the option, or the first of a list", () => {
    expect(secretOf(withUpstream({ signInLimits: { secret: KEY } }))).toBe(KEY);
    expect(secretOf(withUpstream({ signInLimits: { secret: [KEY, COOKIE_KEY] } }))).toBe(KEY);
  });

  it("defaults to the first cookie.secret", () => {
    const options = { ...withUpstream(), cookie: { secret: [COOKIE_KEY, KEY] } };
    expect(secretOf(options)).toBe(COOKIE_KEY);
    expect(secretOf({ ...options, sessions: fullStore() })).toBe(COOKIE_KEY);
  });

  it("stays undefined with the memory store, given or the default", () => {
    expect(secretOf(withUpstream())).toBeUndefined();
    const { sessions, ...noStore } = withUpstream();
    void sessions;
    expect(secretOf(noStore)).toBeUndefined();
  });

  it("is required with a shared store when there is no cookie.secret", () => {
    const error = errorOf({ ...withUpstream(), sessions: fullStore() });
    expect(error.message).toMatch(/^option "upstream\.signInLimits\.secret" is missing/);
    expect(error.message).toContain('"cookie.secret"');
    expect(error.message).toContain("would not share the sign-in attempt counts");
  });

  it("is not needed when the limits are off (cookie.secret still is, for the guest cart cookie)", () => {
    const options = { ...withUpstream({ signInLimits: false }), sessions: fullStore() };
    expect(errorOf(options).message).toMatch(
      /^option "cookie\.secret" is missing .*guest cart cookie/,
    );
    const secret = "cookie-secret-that-is-at-least-32-bytes!";
    const resolved = resolveOptions({ ...options, cookie: { secret } });
    expect(resolved.upstream!.signInLimits).toBe(false);
    expect(resolved.cart).toEqual({ guard: true, keys: [secret] });
  });

  it("signs the guest cart cookie with upstream.signInLimits.secret without a cookie.secret", () => {
    const secret = "limits-secret-that-is-at-least-32-bytes!";
    const options = { ...withUpstream({ signInLimits: { secret } }), sessions: fullStore() };
    expect(resolveOptions(options).cart.keys).toEqual([secret]);
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
  const limits = resolveOptions({ ...withUpstream(), sessions: new Tagged({ sweepInterval: 0 }) })
    .upstream!.signInLimits;
  expect(limits !== false && limits.secret).toBeUndefined();
});
