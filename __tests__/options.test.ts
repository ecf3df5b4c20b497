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
