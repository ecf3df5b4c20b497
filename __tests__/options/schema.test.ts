import { createSessionRouter } from "../../lib/index.js";
import { SHAPES } from "../../lib/options/schema.js";
import { base, errorOf, withUpstream } from "./support.js";

describe("the options schema", () => {
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
    ["clockTolerance over a day", { token: { clockTolerance: "2d" } }, /"token\.clockTolerance"/],
    [
      "touchInterval >= idle",
      { session: { idleTimeout: "10m", touchInterval: "10m" } },
      /"session\.touchInterval" \(600 s\) must be shorter than "session\.idleTimeout" \(600 s\)/,
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

  it("suggests the intended key for a misspelt one, at any level", () => {
    expect(errorOf({ ...base(), sesions: {} }).message).toBe(
      'unknown option "sesions" (did you mean "sessions"?)',
    );
    expect(errorOf({ ...base(), cookie: { sameSIte: "lax" } }).message).toBe(
      'unknown option "cookie.sameSIte" (did you mean "cookie.sameSite"?)',
    );
    expect(errorOf(withUpstream({ conections: 8 })).message).toBe(
      'unknown option "upstream.conections" (did you mean "upstream.connections"?)',
    );
    expect(errorOf(withUpstream({ signInLimits: { secrett: "x".repeat(32) } })).message).toBe(
      'unknown option "upstream.signInLimits.secrett" (did you mean "upstream.signInLimits.secret"?)',
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

describe("the upstream options of the connection layer", () => {
  const MiB = 1024 * 1024;

  it("accepts each at its bounds", () => {
    // Every value here is at a bound; only the short second secret is wrong.
    expect(
      errorOf(
        withUpstream({
          connections: 4096,
          queueTimeout: "10m",
          maxBodySize: 64 * MiB,
          clientBodyTimeout: 1,
          bufferSize: 1,
          spillSize: 1024 * MiB,
          spillTotal: 64 * 1024 * MiB,
          sendTimeout: "600s",
          signInLimits: { secret: ["k".repeat(32), "short"] },
        }),
      ).message,
    ).toMatch(/^option "upstream\.signInLimits\.secret\.1" /);
    expect(() =>
      createSessionRouter(
        withUpstream({
          connections: 1,
          queueTimeout: "10m",
          maxBodySize: 64 * MiB,
          clientBodyTimeout: "1s",
          bufferSize: 1,
          spillSize: 0,
          sendTimeout: "600s",
          signInLimits: { secret: "k".repeat(32) },
        }),
      ),
    ).not.toThrow();
  });

  it.each<[string, object, RegExp]>([
    [
      "no connections",
      { connections: 0 },
      /"upstream\.connections" must be a whole number from 1 to 4096; received a number \(0\)/,
    ],
    [
      "too many connections",
      { connections: 4097 },
      /"upstream\.connections" .*received a number \(4097\)/,
    ],
    [
      "a fraction of a connection",
      { connections: 1.5 },
      /"upstream\.connections" must be a whole number/,
    ],
    [
      "connections as a string",
      { connections: "8" },
      /"upstream\.connections" .*received a string/,
    ],
    [
      "a queue wait over 10 minutes",
      { queueTimeout: 601 },
      /"upstream\.queueTimeout" is more than 10 minutes/,
    ],
    [
      "a body size over 64 MiB",
      { maxBodySize: 64 * MiB + 1 },
      /"upstream\.maxBodySize" must be a whole number of bytes \(64 MiB most\) from 1 to 67108864/,
    ],
    ["a body size of 0", { maxBodySize: 0 }, /"upstream\.maxBodySize" /],
    [
      "a body size as a string",
      { maxBodySize: "1mb" },
      /"upstream\.maxBodySize" .*received a string/,
    ],
    [
      "a zero body timeout",
      { clientBodyTimeout: 0 },
      /"upstream\.clientBodyTimeout" must be a positive number of seconds/,
    ],
    [
      "a buffer size that is a fraction",
      { bufferSize: 1024.5 },
      /"upstream\.bufferSize" must be a whole number of bytes/,
    ],
    ["a buffer size over 64 MiB", { bufferSize: 65 * MiB }, /"upstream\.bufferSize" /],
    [
      "a negative spill size",
      { spillSize: -1 },
      /"upstream\.spillSize" must be a whole number of bytes \(1 GiB most; 0 spills nothing\) from 0/,
    ],
    ["a spill size over 1 GiB", { spillSize: 1024 * MiB + 1 }, /"upstream\.spillSize" /],
    [
      "a spill total that is a fraction",
      { spillTotal: 1.5 },
      /"upstream\.spillTotal" must be a whole number of bytes \(64 GiB most; 0 spills nothing\)/,
    ],
    [
      "a send timeout that is not a duration",
      { sendTimeout: "soon" },
      /"upstream\.sendTimeout" .*received a string/,
    ],
    [
      "a short sign-in secret",
      { signInLimits: { secret: "short" } },
      /"upstream\.signInLimits\.secret" must be at least 32 characters; received a string/,
    ],
    [
      "an empty list of sign-in secrets",
      { signInLimits: { secret: [] } },
      /"upstream\.signInLimits\.secret" /,
    ],
  ])("refuses %s", (_name, patch, pattern) => {
    expect(errorOf(withUpstream(patch)).message).toMatch(pattern);
  });
});

describe("SHAPES", () => {
  it("knows every level an option can be nested at, and the keys of each", () => {
    expect(Object.keys(SHAPES).sort()).toEqual(
      [
        "",
        "cart",
        "cookie",
        "csrf",
        "session",
        "token",
        "upstream",
        "upstream.signInLimits",
      ].sort(),
    );
    expect(Object.keys(SHAPES["upstream"]!)).toEqual(
      expect.arrayContaining([
        "connections",
        "queueTimeout",
        "maxBodySize",
        "clientBodyTimeout",
        "bufferSize",
        "sendTimeout",
      ]),
    );
    expect(Object.keys(SHAPES["upstream.signInLimits"]!).sort()).toEqual([
      "identifier",
      "ip",
      "secret",
    ]);
  });
});
