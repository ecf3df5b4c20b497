import { z } from "zod";
import {
  bytes,
  cookieName,
  describeValue,
  duration,
  httpUrl,
  issueMessage,
  origin,
  secret,
  withMethods,
} from "../../lib/options/validators.js";

/** The message of the first issue a schema finds in `value`, or undefined when it passes. */
function message(schema: z.ZodType, value: unknown): string | undefined {
  const parsed = schema.safeParse(value, { error: issueMessage });
  return parsed.success ? undefined : parsed.error.issues[0]!.message;
}

describe("duration()", () => {
  const upTo = duration(60_000, "a minute");
  it("takes seconds or a string within its bound", () => {
    expect(message(upTo, 60)).toBeUndefined();
    expect(message(upTo, "500ms")).toBeUndefined();
    expect(message(upTo, "1m")).toBeUndefined();
  });
  it("says seconds, not milliseconds, when a value is over the bound", () => {
    expect(message(upTo, 60_000)).toMatch(/^is more than a minute: durations are seconds/);
  });
  it("refuses zero unless allowed, and what is not a duration", () => {
    expect(message(upTo, 0)).toMatch(/^must be a positive number of seconds/);
    expect(message(duration(1000, "1 s", { zero: true }), 0)).toBeUndefined();
    expect(message(upTo, "soon")).toMatch(/^must be a positive number/);
  });
});

describe("withMethods()", () => {
  const store = withMethods(["retrieve"], "must be a CustomerStore");
  it("accepts an object with the methods, refuses others", () => {
    expect(message(store, { retrieve() {} })).toBeUndefined();
    expect(message(store, { retrieve: 1 })).toBe("must be a CustomerStore");
  });
  it("says what to write when given the bare function", () => {
    expect(message(store, async () => null)).toBe(
      "must be a CustomerStore (pass { retrieve: yourFunction }, not the function itself)",
    );
  });
});

it("bytes(): whole numbers from 1 to max", () => {
  const size = bytes(1024, "1 KiB");
  expect(message(size, 1024)).toBeUndefined();
  expect(message(size, 0)).toBe("must be a whole number of bytes (1 KiB most) from 1 to 1024");
  expect(message(size, 1.5)).toBeDefined();
  expect(message(size, 1025)).toBeDefined();
});

it("secret: at least 32 characters, alone or in a non-empty list", () => {
  expect(message(secret, "x".repeat(32))).toBeUndefined();
  expect(message(secret, ["x".repeat(32), "y".repeat(40)])).toBeUndefined();
  expect(message(secret, "x".repeat(31))).toBeDefined();
  expect(message(secret, [])).toBeDefined();
});

it("cookieName: an RFC 6265 token", () => {
  expect(message(cookieName, "__Host-bff.sid")).toBeUndefined();
  expect(message(cookieName, "a b")).toBeDefined();
  expect(message(cookieName, "a;b")).toBeDefined();
});

it("origin: scheme, host and port only", () => {
  expect(message(origin, "https://shop.example.com")).toBeUndefined();
  expect(message(origin, "http://127.0.0.1:3000")).toBeUndefined();
  expect(message(origin, "https://shop.example.com/")).toBeDefined();
  expect(message(origin, "https://shop.example.com/path")).toBeDefined();
  expect(message(origin, "shop.example.com")).toBeDefined();
});

it("httpUrl: an absolute http(s) URL, string or URL", () => {
  expect(message(httpUrl, "http://127.0.0.1:9000")).toBeUndefined();
  expect(message(httpUrl, new URL("https://api.example.com/v2"))).toBeUndefined();
  expect(message(httpUrl, "ftp://example.com")).toBeDefined();
  expect(message(httpUrl, "/relative")).toBeDefined();
  expect(message(httpUrl, 42)).toBeDefined();
});

describe("issueMessage", () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ["a wrong type", z.string(), 1, "must be a string"],
    ["a wrong type, an article", z.object({}), 1, "must be an object"],
    ["one literal", z.literal("lax"), "x", 'must be "lax"'],
    ["one of several", z.enum(["lax", "strict"]), "x", 'must be one of "lax", "strict"'],
    ["an empty string", z.string().min(1), "", "must not be empty"],
    ["a short string", z.string().min(3), "ab", "must be at least 3 characters"],
    ["an empty list", z.array(z.string()).min(1), [], "must not be an empty list"],
    ["a small number", z.number().min(2), 1, "must be at least 2"],
    ["a big number", z.number().max(2), 3, "must be at most 2"],
    ["no union member", z.union([z.string(), z.number()]), true, "has the wrong type"],
  ])("%s", (_, schema, value, expected) => {
    expect(message(schema, value)).toBe(expected);
  });
});

describe("describeValue", () => {
  it.each<[unknown, string]>([
    [undefined, "undefined"],
    [null, "null"],
    ["a secret value", "a string"],
    ["", "an empty string"],
    [42, "a number (42)"],
    [false, "false"],
    [() => 1, "a function"],
    [[1], "an array"],
    [{ a: 1 }, "an object"],
    [Object.create(null), "an object"],
    [new URL("http://x"), "a URL"],
    [10n, "bigint"],
  ])("%p is %s", (value, described) => {
    expect(describeValue(value)).toBe(described);
  });
});
