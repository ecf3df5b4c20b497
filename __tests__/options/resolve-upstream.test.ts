import { resolveUpstream } from "../../lib/options/resolve-upstream.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import { fullStore } from "../support/fake-stores.js";

const given = { baseUrl: "http://127.0.0.1:9000/v2", publishableKey: "pk_test" };
const KEY = "k".repeat(32);

it("undefined without the option", () => {
  expect(resolveUpstream(undefined, KEY, undefined)).toBeUndefined();
});

it("a base URL that always ends in a slash, once", () => {
  expect(resolveUpstream(given, undefined, undefined)!.baseUrl.href).toBe(
    "http://127.0.0.1:9000/v2/",
  );
  const slashed = resolveUpstream(
    { ...given, baseUrl: "http://127.0.0.1:9000/v2/" },
    undefined,
    undefined,
  );
  expect(slashed!.baseUrl.href).toBe("http://127.0.0.1:9000/v2/");
});

it("refresh: true and an object without remaining take the default share; false stays off", () => {
  expect(resolveUpstream({ ...given, refresh: true }, undefined, undefined)!.refresh).toEqual({
    remaining: 0.25,
  });
  expect(resolveUpstream({ ...given, refresh: {} }, undefined, undefined)!.refresh).toEqual({
    remaining: 0.25,
  });
  expect(
    resolveUpstream({ ...given, refresh: { remaining: 0.5 } }, undefined, undefined)!.refresh,
  ).toEqual({ remaining: 0.5 });
  expect(resolveUpstream({ ...given, refresh: false }, undefined, undefined)!.refresh).toBe(false);
});

it("sign-in limits: off, or each limit from what is given and the defaults", () => {
  expect(resolveUpstream({ ...given, signInLimits: false }, KEY, fullStore())!.signInLimits).toBe(
    false,
  );
  const limits = resolveUpstream(
    { ...given, signInLimits: { ip: { attempts: 5 }, identifier: { window: "1m" } } },
    KEY,
    undefined,
  )!.signInLimits;
  expect(limits).toEqual({
    ip: { attempts: 5, window: 900_000 },
    identifier: { attempts: 10, window: 60_000 },
    secret: KEY,
  });
});

it("a shared store without any secret is a TypeError naming the option", () => {
  expect(() => resolveUpstream(given, undefined, fullStore())).toThrow(
    expect.objectContaining({
      name: "TypeError",
      message: expect.stringContaining('"upstream.signInLimits.secret"'),
    }),
  );
  expect(() =>
    resolveUpstream(given, undefined, new MemorySessionStore({ sweepInterval: 0 })),
  ).not.toThrow();
});
