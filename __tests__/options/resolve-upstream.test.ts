import { resolveUpstream } from "../../lib/options/resolve-upstream.js";

const given = { baseUrl: "http://127.0.0.1:9000/v2", publishableKey: "pk_test" };

it("undefined without the option", () => {
  expect(resolveUpstream(undefined)).toBeUndefined();
});

it("a base URL that always ends in a slash, once", () => {
  expect(resolveUpstream(given)!.baseUrl.href).toBe("http://127.0.0.1:9000/v2/");
  const slashed = resolveUpstream({ ...given, baseUrl: "http://127.0.0.1:9000/v2/" });
  expect(slashed!.baseUrl.href).toBe("http://127.0.0.1:9000/v2/");
});

it("refresh: true and an object without remaining take the default share; false stays off", () => {
  expect(resolveUpstream({ ...given, refresh: true })!.refresh).toEqual({
    remaining: 0.25,
  });
  expect(resolveUpstream({ ...given, refresh: {} })!.refresh).toEqual({
    remaining: 0.25,
  });
  expect(resolveUpstream({ ...given, refresh: { remaining: 0.5 } })!.refresh).toEqual({
    remaining: 0.5,
  });
  expect(resolveUpstream({ ...given, refresh: false })!.refresh).toBe(false);
});

it("sign-in limits: off, or each limit from what is given and the defaults", () => {
  expect(resolveUpstream({ ...given, signInLimits: false })!.signInLimits).toBe(false);
  const limits = resolveUpstream({
    ...given,
    signInLimits: { ip: { attempts: 5 }, identifier: { window: "1m" } },
  })!.signInLimits;
  expect(limits).toEqual({
    ip: { attempts: 5, window: 900_000 },
    identifier: { attempts: 10, window: 60_000 },
  });
});
