const MiB = 1024 * 1024;

/**
 * Every default of every option, in one place (durations as the options take them). Two
 * defaults depend on other values and are not here: `cookie.secure` (true when NODE_ENV is
 * "production") and `upstream.signInLimits.secret` (the first `cookie.secret`). The cookie's
 * name is `__Host-` + `cookie.baseName` when Secure, host-only and at "/", else `baseName`;
 * `session.touchInterval` is `idleTimeout` × `touchIntervalFraction`; `upstream.refreshRemaining`
 * is the default of `upstream.refresh.remaining`. Frozen all the way down.
 *
 * @example
 * ```ts
 * DEFAULT_OPTIONS.session.idleTimeout; // "2h"
 * DEFAULT_OPTIONS.token.customerIdClaim; // "actor_id"
 * DEFAULT_OPTIONS.upstream.maxBodySize; // 1048576
 * ```
 */
export const DEFAULT_OPTIONS = deepFreeze({
  token: {
    clockTolerance: 0,
    customerIdClaim: "actor_id",
    actorTypeClaim: "actor_type",
    actorType: "customer",
    singleUse: false,
    keep: false,
  },
  cookie: { baseName: "bff.sid", sameSite: "lax", path: "/", persistent: true },
  session: {
    idleTimeout: "2h",
    absoluteTimeout: "10h",
    touchIntervalFraction: 0.1,
    storeTimeout: "2s",
    maxPerCustomer: 10,
  },
  upstream: {
    timeout: "10s",
    refreshRemaining: 0.25,
    signInLimits: {
      identifier: { attempts: 10, window: "15m" },
      ip: { attempts: 100, window: "15m" },
    },
    connections: 128,
    queueTimeout: "3s",
    maxBodySize: MiB,
    clientBodyTimeout: "10s",
    bufferSize: MiB,
    spillSize: 1024 * MiB,
    spillTotal: 1024 * MiB,
    sendTimeout: "10s",
  },
  cart: { guard: true },
  csrf: { trustedOrigins: [], allowSameSite: false },
} as const);

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}
