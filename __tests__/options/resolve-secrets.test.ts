/**
 * resolveSecrets on its own: which key hashes the sign-in counters and identity records, which
 * sign the guest cart cookie, the random key of a process that needs no shared one, and the
 * TypeError when instances sharing a store would each hash with their own.
 */
import { resolveSecrets } from "../../lib/options/resolve-secrets.js";
import type { SessionRouterOptions } from "../../lib/options/types.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import { bareStore } from "../support/fake-stores.js";

type Upstream = SessionRouterOptions["upstream"];

const COOKIE = "cookie-secret-signing-the-session-cookie!";
const COOKIE_OLD = "cookie-secret-of-the-last-rotation-0123!";
const LIMITS = "limits-secret-keying-the-attempt-counts!";
const LIMITS_OLD = "limits-secret-of-the-last-rotation-0123!";
const BASE_URL = "http://127.0.0.1:9000";

const upstream = (signInLimits?: NonNullable<Upstream>["signInLimits"]): Upstream => ({
  baseUrl: BASE_URL,
  ...(signInLimits !== undefined && { signInLimits }),
});
const memory = () => new MemorySessionStore({ sweepInterval: 0 });

describe("hash", () => {
  it("is upstream.signInLimits.secret, over the cookie secret", () => {
    const secrets = resolveSecrets([COOKIE], upstream({ secret: LIMITS }), memory());
    expect(secrets.hash).toBe(LIMITS);
  });

  it("is the first of a signInLimits.secret list", () => {
    const secrets = resolveSecrets([COOKIE], upstream({ secret: [LIMITS, LIMITS_OLD] }), memory());
    expect(secrets.hash).toBe(LIMITS);
  });

  it.each<[string, Upstream]>([
    ["no upstream", undefined],
    ["no signInLimits", upstream()],
    ["signInLimits off", upstream(false)],
    ["signInLimits without a secret", upstream({ ip: { attempts: 3 } })],
  ])("is the first cookie.secret with %s", (_case, given) => {
    expect(resolveSecrets([COOKIE, COOKIE_OLD], given, bareStore()).hash).toBe(COOKIE);
  });
});

describe("cartCookie", () => {
  it("is every cookie.secret, in order (the first signs, all verify)", () => {
    const secrets = resolveSecrets([COOKIE, COOKIE_OLD], upstream({ secret: LIMITS }), memory());
    expect(secrets.cartCookie).toEqual([COOKIE, COOKIE_OLD]);
  });

  it("is every signInLimits.secret without a cookie.secret", () => {
    const secrets = resolveSecrets([], upstream({ secret: [LIMITS, LIMITS_OLD] }), bareStore());
    expect(secrets).toEqual({ hash: LIMITS, cartCookie: [LIMITS, LIMITS_OLD], given: true });
  });

  it("is a frozen copy: the caller's list changing later changes nothing", () => {
    const cookieSecrets = [COOKIE, COOKIE_OLD];
    const secrets = resolveSecrets(cookieSecrets, upstream(), memory());
    cookieSecrets.reverse();
    expect(secrets.cartCookie).toEqual([COOKIE, COOKIE_OLD]);
    expect(Object.isFrozen(secrets)).toBe(true);
    expect(Object.isFrozen(secrets.cartCookie)).toBe(true);
  });
});

describe("with no secret given", () => {
  it.each<[string, Upstream, MemorySessionStore | undefined]>([
    ["upstream and the memory store", upstream(), memory()],
    ["upstream and no store (the router makes a memory one)", upstream(false), undefined],
  ])("%s: one random key of this process signs and hashes", (_case, given, sessions) => {
    const secrets = resolveSecrets([], given, sessions);
    expect(secrets.given).toBe(false);
    expect(secrets.hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.cartCookie).toEqual([secrets.hash]);
    expect(Object.isFrozen(secrets)).toBe(true);
    expect(Object.isFrozen(secrets.cartCookie)).toBe(true);
  });

  it("each call draws another key", () => {
    const first = resolveSecrets([], upstream(), memory());
    const second = resolveSecrets([], upstream(), memory());
    expect(second.hash).not.toBe(first.hash);
  });

  it("without upstream, a shared store needs none: nothing is hashed or signed", () => {
    expect(resolveSecrets([], undefined, bareStore()).given).toBe(false);
  });

  it("a store that is a subclass of the memory store is not shared", () => {
    class Instrumented extends MemorySessionStore {}
    const sessions = new Instrumented({ sweepInterval: 0 });
    expect(resolveSecrets([], upstream(), sessions).given).toBe(false);
  });

  it.each<[string, Upstream]>([
    ["no signInLimits", upstream()],
    ["signInLimits off", upstream(false)],
    ["signInLimits without a secret", upstream({ identifier: { attempts: 5 } })],
  ])(
    "with upstream and a shared store (%s), throws a TypeError naming both options",
    (_c, given) => {
      expect(() => resolveSecrets([], given, bareStore())).toThrow(TypeError);
      expect(() => resolveSecrets([], given, bareStore())).toThrow(
        /^option "cookie\.secret" is missing \(received undefined\): .*"upstream\.signInLimits\.secret"/,
      );
    },
  );
});

it("marks secrets the app gave as given", () => {
  expect(resolveSecrets([COOKIE], undefined, undefined).given).toBe(true);
  expect(resolveSecrets([], upstream({ secret: LIMITS }), bareStore()).given).toBe(true);
});
