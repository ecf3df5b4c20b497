import { hmacSecret } from "../../lib/index.js";
import { base, errorOf, withUpstream } from "./support.js";

describe("option errors name the option and what it received", () => {
  const keys = hmacSecret("k".repeat(32));
  const customers = { retrieve: async () => null };
  const build = (options: Record<string, unknown>) => errorOf({ keys, customers, ...options });

  it.each<[string, Record<string, unknown>, string | RegExp]>([
    [
      "an unset upstream.baseUrl",
      { upstream: {} },
      'option "upstream.baseUrl" is missing (received undefined); it must be an absolute http(s) URL such as "http://127.0.0.1:9000"',
    ],
    [
      "a number for upstream.baseUrl",
      { upstream: { baseUrl: 9000 } },
      'option "upstream.baseUrl" must be an absolute http(s) URL such as "http://127.0.0.1:9000"; received a number (9000)',
    ],
    [
      "no keys at all",
      { keys: undefined },
      /^option "keys" is missing \(received undefined\); it must be a key source: hmacSecret\(\)/,
    ],
    [
      "keys as a string",
      { keys: "supersecret" },
      'option "keys" must be a key source, not a string: wrap the secret, hmacSecret("…"); received a string',
    ],
    [
      "keys as a number",
      { keys: 42 },
      /^option "keys" must be a key source: .*; received a number \(42\)$/,
    ],
    [
      "customers as a function",
      { customers: async () => null },
      'option "customers" must be an object with a retrieve(customerId, context) method (pass { retrieve: yourFunction }, not the function itself); received a function',
    ],
    [
      "a class instance where a store is meant",
      { sessions: new Map() },
      /^option "sessions" must be a SessionStore: .*; received a Map$/,
    ],
    [
      "a string for a boolean",
      { cookie: { secure: "yes" } },
      'option "cookie.secure" must be a boolean; received a string',
    ],
    ["null for an object", { cookie: null }, 'option "cookie" must be an object; received null'],
    [
      "an array for an object",
      { session: [] },
      'option "session" must be an object; received an array',
    ],
    [
      "a value outside an enum",
      { cookie: { sameSite: "lax " } },
      'option "cookie.sameSite" must be one of "lax", "strict", "none"; received a string',
    ],
    [
      "a fraction for a count",
      { session: { maxPerCustomer: 2.5 } },
      'option "session.maxPerCustomer" must be a whole number; received a number (2.5)',
    ],
    [
      "zero for a positive count",
      { session: { maxPerCustomer: 0 } },
      'option "session.maxPerCustomer" must be more than 0; received a number (0)',
    ],
    [
      "a number for a union of false and an object",
      { csrf: 1 },
      'option "csrf" must be false or { trustedOrigins?, allowSameSite? }; received a number (1)',
    ],
    [
      "an empty string in a list",
      { token: { audience: ["a", ""] } },
      'option "token.audience.1" must not be empty; received an empty string',
    ],
    [
      "milliseconds for seconds",
      { session: { idleTimeout: 7_200_000 } },
      'option "session.idleTimeout" is more than 31 days: durations are seconds, not milliseconds (write "2h" or 7200); received a number (7200000)',
    ],
    [
      "a duration that is not one",
      { session: { idleTimeout: "soon" } },
      'option "session.idleTimeout" must be a positive number of seconds or a string such as "30m", "2h", "7d"; received a string',
    ],
    [
      "idle longer than absolute",
      { session: { idleTimeout: "12h", absoluteTimeout: "10h" } },
      /"session\.idleTimeout" \(43200 s\) must not be longer than "session\.absoluteTimeout" \(36000 s\)/,
    ],
    [
      "token.keep false with upstream",
      { upstream: { baseUrl: "http://x" }, token: { keep: false } },
      /^option "token\.keep" cannot be false with "upstream" \(received false\)/,
    ],
  ])("%s", (_name, options, message) => {
    const error = build(options);
    if (typeof message === "string") expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });

  it("a missing customer store says it received undefined", () => {
    expect(errorOf({ keys }).message).toBe(
      'option "customers" is required (an object with a retrieve(customerId, context) method), unless "upstream" is set; received undefined',
    );
  });

  it("never repeats a rejected secret, in the message or in its cause", () => {
    const secret = "my-own-short-secret";
    for (const options of [
      { ...base(), cookie: { secret } },
      { ...base(), cookie: { secret: [secret] } },
      withUpstream({ signInLimits: { secret } }),
      withUpstream({ publishableKey: 42, signInLimits: { secret } }),
      { ...base(), keys: secret },
    ]) {
      const error = errorOf(options);
      expect(error.message).toMatch(/received a string|received a number/);
      expect(
        `${error.message} ${JSON.stringify(error.cause)} ${String(error.cause)}`,
      ).not.toContain(secret);
    }
  });
});
