import {
  createSessionRouter,
  hmacSecret,
  MemorySessionStore,
  type SessionRouterOptions,
} from "../lib/index.js";
import { SECRET } from "./helpers.js";

const base = (): SessionRouterOptions => ({
  keys: hmacSecret(SECRET),
  customers: { retrieve: async () => null },
  sessions: new MemorySessionStore({ sweepInterval: 0 }),
});

function errorOf(options: unknown): TypeError {
  try {
    createSessionRouter(options as SessionRouterOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError;
  }
  throw new Error("did not throw");
}

describe("options", () => {
  it("names keys when nothing is given", () => {
    expect(errorOf({}).message).toMatch(/^option "keys" /);
    expect(errorOf(undefined).message).toMatch(/^option "keys" /);
  });

  it.each<[string, object, RegExp]>([
    ["customers missing", { customers: undefined }, /^option "customers" /],
    ["customers without retrieve", { customers: {} }, /^option "customers" /],
    [
      "keys of the wrong shape",
      { keys: { algorithms: ["none"], getKeys() {} } },
      /^option "keys" /,
    ],
    [
      "sessions without touch",
      { sessions: { get() {}, set() {}, destroy() {} } },
      /^option "sessions" /,
    ],
    ["bad sameSite", { cookie: { sameSite: "lax " } }, /^option "cookie\.sameSite" /],
    ["cookie name with a space", { cookie: { name: "my sid" } }, /^option "cookie\.name" /],
    ["short cookie secret", { cookie: { secret: "short" } }, /^option "cookie\.secret" /],
    ["bad duration", { session: { idleTimeout: "2 hours" } }, /^option "session\.idleTimeout" /],
    ["negative duration", { session: { idleTimeout: -5 } }, /^option "session\.idleTimeout" /],
    [
      "touchInterval >= idle",
      { session: { idleTimeout: "10m", touchInterval: "10m" } },
      /"session\.touchInterval"/,
    ],
    [
      "origin with a path",
      { csrf: { trustedOrigins: ["https://shop.example.com/"] } },
      /^option "csrf\.trustedOrigins\.0" /,
    ],
    [
      "__Host- without secure",
      { cookie: { name: "__Host-sid", secure: false } },
      /"cookie\.name".*__Host-/,
    ],
    [
      "__Host- with domain",
      { cookie: { name: "__Host-sid", secure: true, domain: "example.com" } },
      /"cookie\.name"/,
    ],
    [
      "__Secure- without secure",
      { cookie: { name: "__Secure-sid", secure: false } },
      /"cookie\.name"/,
    ],
    [
      "sameSite none without secure",
      { cookie: { sameSite: "none", secure: false } },
      /"cookie\.sameSite"/,
    ],
    ["logger without error", { logger: { warn() {}, debug() {} } }, /^option "logger" /],
  ])("throws a TypeError naming the option: %s", (_name, patch, pattern) => {
    expect(errorOf({ ...base(), ...patch }).message).toMatch(pattern);
  });

  it("suggests the intended key for a misspelt one", () => {
    expect(errorOf({ ...base(), sesions: {} }).message).toBe(
      'unknown option "sesions" (did you mean "sessions"?)',
    );
    expect(errorOf({ ...base(), cookie: { sameSIte: "lax" } }).message).toBe(
      'unknown option "cookie.sameSIte" (did you mean "cookie.sameSite"?)',
    );
    expect(errorOf({ ...base(), zzzzzz: 1 }).message).toBe('unknown option "zzzzzz"');
  });

  it("accepts a complete, valid configuration", () => {
    const router = createSessionRouter({
      ...base(),
      token: {
        issuer: "https://auth",
        audience: ["a", "b"],
        clockTolerance: "5s",
        maxTokenAge: "1d",
        typ: "JWT",
      },
      cookie: {
        name: "__Host-sid",
        secure: true,
        sameSite: "strict",
        secret: ["x".repeat(32), "y".repeat(32)],
      },
      session: { idleTimeout: 1800, absoluteTimeout: "12h", touchInterval: "1m" },
      csrf: { trustedOrigins: ["https://shop.example.com"], allowSameSite: true },
      onEvent: () => {},
      logger: console,
      now: Date.now,
    });
    expect(typeof router.authenticate).toBe("function");
    expect(typeof router.revokeCustomerSessions).toBe("function");
  });
});

describe("option errors name what was given and what was meant", () => {
  const keys = hmacSecret("k".repeat(32));
  const customers = { retrieve: async () => null };
  const build = (options: Record<string, unknown>) => () =>
    createSessionRouter({ keys, customers, ...options } as never);

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "keys as a string",
      { keys: "supersecret" },
      /option "keys" must be a key source, not a string: wrap the secret, hmacSecret\("…"\)/,
    ],
    ["keys as a number", { keys: 42 }, /option "keys" must be a key source .*got 42/],
    [
      "customers as a function",
      { customers: async () => null },
      /option "customers" must be an object with a retrieve\(customerId, context\) method; a function was given: pass \{ retrieve: yourFunction \}/,
    ],
    [
      "a top-level secret",
      { secret: "x".repeat(32) },
      /unknown option "secret" \(did you mean "cookie\.secret"\?\)/,
    ],
    [
      "a top-level trustedOrigins",
      { trustedOrigins: ["https://shop.example.com"] },
      /unknown option "trustedOrigins" \(did you mean "csrf\.trustedOrigins"\?\)/,
    ],
    ["a top-level idleTimeout", { idleTimeout: "30m" }, /did you mean "session\.idleTimeout"/],
    [
      "milliseconds for seconds",
      { session: { idleTimeout: 7_200_000 } },
      /option "session\.idleTimeout" is 7200000 seconds, more than 31 days: durations are seconds, not milliseconds/,
    ],
    [
      "a duration that is not one",
      { session: { idleTimeout: "soon" } },
      /must be a positive number of seconds .*got a string/,
    ],
    [
      "idle longer than absolute",
      { session: { idleTimeout: "12h", absoluteTimeout: "10h" } },
      /"session\.idleTimeout" \(43200 s\) must not be longer than "session\.absoluteTimeout" \(36000 s\)/,
    ],
  ])("%s", (_name, options, message) => {
    expect(build(options)).toThrow(TypeError);
    expect(build(options)).toThrow(message);
  });

  it("long but sane lifetimes are accepted; a default idle timeout gives way to a shorter absolute one", () => {
    expect(build({ session: { idleTimeout: "30d", absoluteTimeout: "365d" } })).not.toThrow();
    expect(build({ session: { absoluteTimeout: "1h" } })).not.toThrow();
  });
});
