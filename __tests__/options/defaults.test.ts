import { DEFAULT_OPTIONS } from "../../lib/index.js";
import { parseDuration, type Duration } from "../../lib/options/duration.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import { base, withUpstream } from "./support.js";

const ms = (value: Duration) => parseDuration(value)!;

/** Every nested object of a value, itself included. */
function objects(value: object): object[] {
  return [
    value,
    ...Object.values(value).flatMap((child: unknown) =>
      typeof child === "object" && child !== null ? objects(child) : [],
    ),
  ];
}

describe("DEFAULT_OPTIONS", () => {
  it("is frozen all the way down", () => {
    const all = objects(DEFAULT_OPTIONS);
    expect(all.length).toBeGreaterThanOrEqual(10); // the tree, not only its root
    expect(all.filter((o) => !Object.isFrozen(o))).toEqual([]);
  });

  it("holds the documented defaults, the new upstream ones included", () => {
    expect(DEFAULT_OPTIONS.cookie).toEqual({
      baseName: "bff.sid",
      sameSite: "lax",
      path: "/",
      persistent: true,
    });
    expect(DEFAULT_OPTIONS.csrf).toEqual({ trustedOrigins: [], allowSameSite: false });
    expect(DEFAULT_OPTIONS.upstream).toMatchObject({
      connections: 128,
      queueTimeout: "3s",
      maxBodySize: 1_048_576,
      clientBodyTimeout: "10s",
      bufferSize: 1_048_576,
      spillSize: 1_073_741_824,
      spillTotal: 1_073_741_824,
      sendTimeout: "10s",
    });
  });

  it("is what resolveOptions applies when an option is not given", () => {
    const d = DEFAULT_OPTIONS;
    const r = resolveOptions({ ...withUpstream(), cookie: { secure: false } });
    expect(r.token).toMatchObject({
      clockTolerance: d.token.clockTolerance,
      customerIdClaim: d.token.customerIdClaim,
      actorTypeClaim: d.token.actorTypeClaim,
      actorType: d.token.actorType,
      singleUse: d.token.singleUse,
    });
    expect(resolveOptions(base()).token.keep).toBe(d.token.keep);
    expect(r.cookie).toMatchObject({
      name: d.cookie.baseName,
      sameSite: d.cookie.sameSite,
      path: d.cookie.path,
      persistent: d.cookie.persistent,
    });
    expect(r.lifetime).toEqual({
      idleTimeout: ms(d.session.idleTimeout),
      absoluteTimeout: ms(d.session.absoluteTimeout),
      touchInterval: ms(d.session.idleTimeout) * d.session.touchIntervalFraction,
      storeTimeout: ms(d.session.storeTimeout),
    });
    expect(r.limits.maxPerCustomer).toBe(d.session.maxPerCustomer);
    const u = d.upstream;
    expect(r.upstream).toMatchObject({
      timeout: ms(u.timeout),
      refresh: { remaining: u.refreshRemaining },
      signInLimits: {
        identifier: {
          attempts: u.signInLimits.identifier.attempts,
          window: ms(u.signInLimits.identifier.window),
        },
        ip: { attempts: u.signInLimits.ip.attempts, window: ms(u.signInLimits.ip.window) },
      },
      connections: u.connections,
      queueTimeout: ms(u.queueTimeout),
      maxBodySize: u.maxBodySize,
      clientBodyTimeout: ms(u.clientBodyTimeout),
      bufferSize: u.bufferSize,
      spillSize: u.spillSize,
      spillTotal: u.spillTotal,
      sendTimeout: ms(u.sendTimeout),
    });
    const csrf = r.csrf;
    expect(csrf !== false && [[...csrf.trustedOrigins], csrf.allowSameSite]).toEqual([
      [...d.csrf.trustedOrigins],
      d.csrf.allowSameSite,
    ]);
  });
});
