import { z } from "zod";
import type { CustomerStore } from "./customers/customer-store.js";
import { requiresToken, upstreamCustomerStore } from "./customers/upstream.js";
import { resolveLogger, type Logger, type SessionEvent } from "./events.js";
import { parseDuration, type Duration, type Lifetime } from "./session/lifetime.js";
import type { ResolvedCookie } from "./session/cookie.js";
import { optionError } from "./option-error.js";
import { MemorySessionStore } from "./stores/memory.js";
import type { SessionLimits, SessionStore } from "./stores/session-store.js";
import { isKeySource, type KeySource } from "./token/keys/key-source.js";
import type { TokenPolicy } from "./token/verify-token.js";

/**
 * Options of {@link createSessionRouter}. Every field is documented in the README's option table.
 *
 * @example
 * ```ts
 * const options: SessionRouterOptions = {
 *   keys: hmacSecret(process.env.JWT_SECRET!),
 *   customers,
 *   cookie: { secure: true, sameSite: "lax" },
 *   session: { idleTimeout: "30m", absoluteTimeout: "10h" },
 * };
 * ```
 */
export interface SessionRouterOptions {
  /** Where token-verifying keys come from: `hmacSecret()`, `publicKeys()`, `remoteJwks()` or your own. */
  keys: KeySource;
  /**
   * Loads the customer a token or session names. Required, except with `upstream`, where it
   * defaults to the backend's `GET /store/customers/me`, read as the customer.
   */
  customers?: CustomerStore;
  /** Where sessions live. Default: a new `MemorySessionStore()`. */
  sessions?: SessionStore;
  /** How tokens are judged beyond their signature. */
  token?: {
    /** Required `iss` (one or any of several). Default: not checked. */
    issuer?: string | string[];
    /** Required `aud` (one or any of several). Default: not checked. */
    audience?: string | string[];
    /** Leeway for `exp`/`nbf` and a future `iat`. Default 0. */
    clockTolerance?: Duration;
    /** Refuse tokens whose `iat` is older than this. Default: not checked. */
    maxTokenAge?: Duration;
    /** Required `typ` header (e.g. "JWT" or "at+jwt"). Default: not checked. */
    typ?: string;
    /**
     * Each token may start one session only: its `jti` (or, without one, its signed content) is
     * remembered in the session store for as long as the token is accepted. Default false.
     */
    singleUse?: boolean;
    /** The claim holding the customer id. Default "actor_id" (use "sub" for other issuers). */
    customerIdClaim?: string;
    /** The claim that must equal `actorType`, or false to not check one. Default "actor_type". */
    actorTypeClaim?: string | false;
    /** The required actor type. Default "customer". */
    actorType?: string;
    /**
     * Keep the customer's JWT in the session, sealed with a key only the cookie yields, for
     * calls to the commerce backend as the customer (`upstreamCustomerStore`, `req.auth.token`).
     * The session then ends no later than the token's `exp`. Default false.
     */
    keep?: boolean;
  };
  /** The session cookie. */
  cookie?: {
    /** Default "__Host-bff.sid" when Secure without Domain, else "bff.sid". */
    name?: string;
    /** Default: true when NODE_ENV is "production". */
    secure?: boolean;
    /** Default "lax". */
    sameSite?: "lax" | "strict" | "none";
    /** Default: none (host-only cookie). */
    domain?: string;
    /** Default "/". */
    path?: string;
    /** Sign the cookie (cookie-parser format); a list rotates, the first signs. Default: unsigned. */
    secret?: string | string[];
    /**
     * A persistent cookie (Max-Age of the session's absolute lifetime), or false for a
     * browser-session cookie that ends when the browser closes. A sign-in can choose with
     * `POST /auth/session?remember=true|false` ("remember me"). Default true.
     */
    persistent?: boolean;
  };
  /** Session lifetimes: seconds, or strings such as "30m". */
  session?: {
    /** Ends a session unused for this long. Default "2h". */
    idleTimeout?: Duration;
    /** Ends a session this long after login, however used. Default "10h". */
    absoluteTimeout?: Duration;
    /** Writes the moved idle deadline at most this often. Default: a tenth of idleTimeout. */
    touchInterval?: Duration;
    /** How long one session-store call may take before the request gets a 500. Default "2s". */
    storeTimeout?: Duration;
    /**
     * The most live sessions one customer may hold; a sign-in beyond it ends that customer's
     * oldest session (event `session.destroyed`, reason `limit`). Default 10.
     */
    maxPerCustomer?: number;
  };
  /**
   * The commerce backend this BFF fronts (xclade/Medusa): with it, every session keeps the
   * customer's token sealed, `router.storeApi()` forwards `/store/*` as the customer, and the
   * kept token is refreshed before it expires.
   */
  upstream?: UpstreamOptions;
  /** Cross-site request defence for cookie-authenticated writes, or false to turn it off. */
  csrf?: { trustedOrigins?: string[]; allowSameSite?: boolean } | false;
  /** Receives every {@link SessionEvent}. A throw or a rejected promise is logged, never fatal. */
  onEvent?: (event: SessionEvent) => unknown;
  /**
   * Where warnings and errors are logged (pino-compatible), or false for nowhere. Default:
   * stderr (silent under NODE_ENV=test, as Express's final handler). A logger that throws is
   * ignored after one process warning.
   */
  logger?: Logger | false;
  /** The clock, in ms since the epoch (for tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * The `upstream` option: the commerce backend the BFF fronts.
 *
 * @example
 * ```ts
 * const upstream: UpstreamOptions = { baseUrl: "http://127.0.0.1:9000", publishableKey: process.env.PK, timeout: "10s" };
 * ```
 */
export interface UpstreamOptions {
  /** The backend's base URL, e.g. "https://api.example.com". */
  baseUrl: string | URL;
  /** Sent as `x-publishable-api-key` with every call; without it, the browser's own passes. */
  publishableKey?: string;
  /** How long the backend may take to answer before the browser gets a 504. Default "10s". */
  timeout?: Duration;
  /**
   * Refresh the kept token (`POST /auth/token/refresh`) when less than `remaining` of its
   * lifetime is left; `false` turns refresh off (a session then ends at its token's `exp`).
   * Default `{ remaining: 0.25 }`.
   */
  refresh?: boolean | { remaining?: number };
  /**
   * Failed password sign-ins allowed per account identifier (the body's `email` or
   * `username`) and per client IP (`req.ip`, which follows the app's `trust proxy`) within a
   * window; beyond them, 429 with `Retry-After` and nothing reaches the backend. Counted in the
   * session store's backend. Default `{ identifier: { attempts: 10, window: "15m" }, ip: {
   * attempts: 100, window: "15m" } }`; `false` turns the limits off.
   */
  signInLimits?:
    | false
    | {
        identifier?: { attempts?: number; window?: Duration };
        ip?: { attempts?: number; window?: Duration };
      };
}

/** `upstream.signInLimits` after defaults: windows in milliseconds. */
export interface ResolvedSignInLimits {
  identifier: { attempts: number; window: number };
  ip: { attempts: number; window: number };
}

/** The `upstream` option after defaults. */
export interface ResolvedUpstream {
  /** The base URL, always ending in "/". */
  baseUrl: URL;
  publishableKey: string | undefined;
  /** Milliseconds. */
  timeout: number;
  /** The share of a token's lifetime left at which it is refreshed, or false. */
  refresh: { remaining: number } | false;
  signInLimits: ResolvedSignInLimits | false;
}

/**
 * The defaults, in one place.
 *
 * @example
 * ```ts
 * DEFAULT_OPTIONS.session.idleTimeout; // "2h"
 * DEFAULT_OPTIONS.token.customerIdClaim; // "actor_id"
 * ```
 */
export const DEFAULT_OPTIONS = Object.freeze({
  token: {
    clockTolerance: 0,
    customerIdClaim: "actor_id",
    actorTypeClaim: "actor_type",
    actorType: "customer",
    singleUse: false,
    keep: false,
  },
  cookie: { baseName: "bff.sid", sameSite: "lax", path: "/" },
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
  },
} as const);

/** Options after validation and defaults; frozen, computed once per router. */
export interface ResolvedOptions {
  keys: KeySource;
  customers: CustomerStore;
  sessions: SessionStore;
  /** The claim policy (seconds for durations), plus what the router does with the token. */
  token: Omit<TokenPolicy, "keys" | "now"> & { keep: boolean; singleUse: boolean };
  cookie: ResolvedCookie;
  lifetime: Lifetime;
  limits: SessionLimits;
  upstream: ResolvedUpstream | undefined;
  csrf: { trustedOrigins: ReadonlySet<string>; allowSameSite: boolean } | false;
  onEvent: ((event: SessionEvent) => unknown) | undefined;
  /** The logger to use, never undefined: the app's (guarded), stderr, or silent. */
  logger: Logger;
  /** True when the app gave a logger: only then are debug lines built. */
  logDebug: boolean;
  now: () => number;
}

/** An object with these methods (stores and loggers are described by what they can do). */
const withMethods = <T>(names: string[], message: string) =>
  z.custom<T>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      names.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    {
      // Say what was given: a bare function is the usual slip (`customers: async (id) => …`).
      error: (issue) =>
        typeof issue.input === "function"
          ? `${message}; a function was given: pass { ${names[0]}: yourFunction }`
          : `${message}; got ${describeValue(issue.input)}`,
    },
  );
const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `must be ${what}`);
// Each duration has a sane upper bound; a bigger value is almost always milliseconds given
// where seconds are meant (idleTimeout: 7200000 for "2h" would be 83 days).
const DAY = 86_400_000;
const duration = (maxMs: number, most: string) =>
  z.custom<Duration>(
    (v) => {
      const ms = parseDuration(v);
      return ms !== undefined && ms > 0 && ms <= maxMs;
    },
    {
      error: (issue) => {
        const ms = parseDuration(issue.input);
        return ms !== undefined && ms > maxMs
          ? `is ${String(issue.input)} seconds, more than ${most}: durations are seconds, not milliseconds (write "2h" or 7200)`
          : `must be a positive number of seconds or a string such as "30m", "2h", "7d"; got ${describeValue(issue.input)}`;
      },
    },
  );
const lifetime = duration(400 * DAY, "400 days");
const shortWait = duration(10 * 60_000, "10 minutes");
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
// RFC 6265 §4.1.1 cookie-name is an RFC 7230 token.
const cookieName = z
  .string()
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must be a valid cookie name (RFC 6265 token)");
const cookieSecret = z.string().min(32, "must be at least 32 characters");
const origin = z.string().refine((v) => {
  try {
    return new URL(v).origin === v;
  } catch {
    return false;
  }
}, 'must be an origin such as "https://shop.example.com" (scheme, host, optional port; no path or trailing slash)');

const tokenSchema = z.strictObject({
  issuer: oneOrMany.optional(),
  audience: oneOrMany.optional(),
  clockTolerance: z.union([z.literal(0), duration(DAY, "a day")]).optional(),
  maxTokenAge: lifetime.optional(),
  typ: z.string().min(1).optional(),
  singleUse: z.boolean().optional(),
  customerIdClaim: z.string().min(1).optional(),
  actorTypeClaim: z.union([z.string().min(1), z.literal(false)]).optional(),
  actorType: z.string().min(1).optional(),
  keep: z.boolean().optional(),
});

const cookieSchema = z.strictObject({
  name: cookieName.optional(),
  secure: z.boolean().optional(),
  sameSite: z.enum(["lax", "strict", "none"]).optional(),
  domain: z
    .string()
    .regex(/^\.?[A-Za-z0-9.-]+$/, "must be a domain name")
    .optional(),
  path: z
    .string()
    .startsWith("/", 'must start with "/"')
    .regex(/^[^;\s]*$/, "must not contain ; or spaces")
    .optional(),
  secret: z.union([cookieSecret, z.array(cookieSecret).min(1)]).optional(),
  persistent: z.boolean().optional(),
});

const sessionSchema = z.strictObject({
  idleTimeout: duration(31 * DAY, "31 days").optional(),
  absoluteTimeout: lifetime.optional(),
  touchInterval: duration(31 * DAY, "31 days").optional(),
  storeTimeout: shortWait.optional(),
  maxPerCustomer: z.number().int().positive().optional(),
});

const attemptLimit = z.strictObject({
  attempts: z.number().int().positive().optional(),
  window: duration(DAY, "1 day").optional(),
});

const upstreamSchema = z.strictObject({
  baseUrl: z.union([z.string(), z.instanceof(URL)]).refine((v) => {
    try {
      return ["http:", "https:"].includes(new URL(String(v)).protocol);
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL such as "http://127.0.0.1:9000"'),
  publishableKey: z.string().min(1).optional(),
  timeout: shortWait.optional(),
  refresh: z
    .union([
      z.boolean(),
      z.strictObject({
        remaining: z
          .number()
          .gt(0, "must be a share of the lifetime between 0 and 1")
          .lt(1, "must be a share of the lifetime between 0 and 1")
          .optional(),
      }),
    ])
    .optional(),
  signInLimits: z
    .union([
      z.literal(false),
      z.strictObject({ identifier: attemptLimit.optional(), ip: attemptLimit.optional() }),
    ])
    .optional(),
});

const csrfSchema = z.strictObject({
  trustedOrigins: z.array(origin).optional(),
  allowSameSite: z.boolean().optional(),
});

const schema = z.strictObject({
  keys: z.custom<KeySource>(isKeySource, {
    error: (issue) =>
      issue.input === undefined
        ? "is required: hmacSecret(), publicKeys(), remoteJwks() or an object with algorithms and getKeys()"
        : typeof issue.input === "string"
          ? 'must be a key source, not a string: wrap the secret, hmacSecret("…")'
          : `must be a key source (hmacSecret(), publicKeys(), remoteJwks() or an object with algorithms and getKeys()); got ${describeValue(issue.input)}`,
  }),
  customers: withMethods<CustomerStore>(
    ["retrieve"],
    "must be an object with a retrieve(customerId, context) method",
  ).optional(),
  sessions: withMethods<SessionStore>(
    ["get", "set", "touch", "destroy"],
    "must be a SessionStore: an object with get, set, touch and destroy methods",
  ).optional(),
  token: tokenSchema.optional(),
  cookie: cookieSchema.optional(),
  session: sessionSchema.optional(),
  upstream: upstreamSchema.optional(),
  csrf: z.union([z.literal(false), csrfSchema]).optional(),
  onEvent: fn("a function").optional(),
  logger: z
    .union([
      z.literal(false),
      withMethods<Logger>(["debug", "warn", "error"], "must have debug, warn and error methods"),
    ])
    .optional(),
  now: fn("a function returning milliseconds since the epoch").optional(),
});

// The known keys at each level: for "did you mean" suggestions, and for the test that keeps
// the README's option table in step with the schema.
export const SHAPES: Readonly<Record<string, object>> = {
  "": schema.shape,
  token: tokenSchema.shape,
  cookie: cookieSchema.shape,
  session: sessionSchema.shape,
  upstream: upstreamSchema.shape,
  csrf: csrfSchema.shape,
};

/**
 * Validates options and applies defaults. Throws a TypeError naming the first bad option (and
 * suggesting the intended key for a misspelt one).
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw optionError(parsed.error, SHAPES);
  const o = parsed.data as SessionRouterOptions;
  const d = DEFAULT_OPTIONS;

  const secure = o.cookie?.secure ?? process.env.NODE_ENV === "production";
  const domain = o.cookie?.domain;
  const path = o.cookie?.path ?? d.cookie.path;
  const sameSite = o.cookie?.sameSite ?? d.cookie.sameSite;
  // RFC 6265bis §4.1.3: __Host- cookies are Secure, host-only and Path=/, so a sibling
  // subdomain or an insecure origin cannot plant or overwrite them.
  const hostPrefixOk = secure && domain === undefined && path === "/";
  const name = o.cookie?.name ?? (hostPrefixOk ? `__Host-${d.cookie.baseName}` : d.cookie.baseName);
  if (name.startsWith("__Host-") && !hostPrefixOk) {
    throw new TypeError(
      'option "cookie.name": a "__Host-" cookie needs secure: true, no domain and path "/"',
    );
  }
  if (name.startsWith("__Secure-") && !secure) {
    throw new TypeError('option "cookie.name": a "__Secure-" cookie needs secure: true');
  }
  if (sameSite === "none" && !secure) {
    throw new TypeError(
      'option "cookie.sameSite": "none" needs secure: true (browsers drop it otherwise)',
    );
  }
  const secret = o.cookie?.secret;

  const absoluteTimeout = parseDuration(o.session?.absoluteTimeout ?? d.session.absoluteTimeout)!;
  // The default idle timeout gives way to a shorter absolute one; an explicit one may not.
  const idleTimeout =
    o.session?.idleTimeout === undefined
      ? Math.min(parseDuration(d.session.idleTimeout)!, absoluteTimeout)
      : parseDuration(o.session.idleTimeout)!;
  const touchInterval =
    o.session?.touchInterval === undefined
      ? Math.floor(idleTimeout * d.session.touchIntervalFraction)
      : parseDuration(o.session.touchInterval)!;
  if (idleTimeout > absoluteTimeout) {
    throw new TypeError(
      `option "session.idleTimeout" (${idleTimeout / 1000} s) must not be longer than "session.absoluteTimeout" (${absoluteTimeout / 1000} s): a session never outlives its absolute timeout`,
    );
  }
  if (touchInterval >= idleTimeout) {
    throw new TypeError(
      'option "session.touchInterval" must be shorter than "session.idleTimeout"',
    );
  }

  const token = o.token ?? {};
  const sessions = o.sessions ?? new MemorySessionStore();
  const upstream = resolveUpstream(o.upstream);
  if (upstream !== undefined && token.keep === false) {
    throw new TypeError(
      'option "token.keep" cannot be false with "upstream": the BFF calls the backend with the kept token',
    );
  }
  const customers =
    o.customers ??
    (upstream === undefined
      ? undefined
      : upstreamCustomerStore({
          baseUrl: upstream.baseUrl,
          publishableKey: upstream.publishableKey,
          timeout: Math.ceil(upstream.timeout),
        }));
  if (customers === undefined) {
    throw new TypeError(
      'option "customers" is required (an object with a retrieve(customerId, context) method), unless "upstream" is set',
    );
  }
  const keep = upstream !== undefined || token.keep === true;
  if (requiresToken(customers) && !keep) {
    throw new TypeError(
      'option "token.keep" must be true: the customer store reads the backend with the customer\'s token',
    );
  }
  if (token.singleUse === true && typeof sessions.consumeTokenId !== "function") {
    throw new TypeError('option "token.singleUse" needs a session store with consumeTokenId()');
  }

  return Object.freeze({
    keys: o.keys,
    customers,
    sessions,
    token: Object.freeze({
      issuer: token.issuer,
      audience: token.audience,
      clockTolerance:
        token.clockTolerance === undefined ? 0 : parseDuration(token.clockTolerance)! / 1000,
      maxTokenAge:
        token.maxTokenAge === undefined ? undefined : parseDuration(token.maxTokenAge)! / 1000,
      typ: token.typ,
      singleUse: token.singleUse ?? d.token.singleUse,
      customerIdClaim: token.customerIdClaim ?? d.token.customerIdClaim,
      actorTypeClaim: token.actorTypeClaim ?? d.token.actorTypeClaim,
      actorType: token.actorType ?? d.token.actorType,
      keep,
    }),
    cookie: Object.freeze({
      name,
      persistent: o.cookie?.persistent ?? true,
      secure,
      sameSite,
      domain,
      path,
      secrets: Object.freeze(
        secret === undefined ? [] : Array.isArray(secret) ? [...secret] : [secret],
      ),
    }),
    lifetime: Object.freeze({
      idleTimeout,
      absoluteTimeout,
      touchInterval,
      storeTimeout: parseDuration(o.session?.storeTimeout ?? d.session.storeTimeout)!,
    }),
    upstream,
    limits: Object.freeze({
      maxPerCustomer: o.session?.maxPerCustomer ?? d.session.maxPerCustomer,
    }),
    csrf:
      o.csrf === false
        ? false
        : Object.freeze({
            trustedOrigins: new Set(o.csrf?.trustedOrigins ?? []),
            allowSameSite: o.csrf?.allowSameSite ?? false,
          }),
    onEvent: o.onEvent,
    logger: resolveLogger(o.logger),
    logDebug: o.logger !== undefined && o.logger !== false,
    now: o.now ?? Date.now,
  });
}

function resolveUpstream(upstream: UpstreamOptions | undefined): ResolvedUpstream | undefined {
  if (upstream === undefined) return undefined;
  const d = DEFAULT_OPTIONS.upstream;
  const refresh = upstream.refresh ?? true;
  return Object.freeze({
    baseUrl: new URL(String(upstream.baseUrl).replace(/\/?$/, "/")),
    publishableKey: upstream.publishableKey,
    timeout: parseDuration(upstream.timeout ?? d.timeout)!,
    refresh:
      refresh === false
        ? false
        : Object.freeze({
            remaining: (refresh === true ? undefined : refresh.remaining) ?? d.refreshRemaining,
          }),
    signInLimits: resolveSignInLimits(upstream.signInLimits),
  });
}

function resolveSignInLimits(
  limits: UpstreamOptions["signInLimits"],
): ResolvedSignInLimits | false {
  if (limits === false) return false;
  const d = DEFAULT_OPTIONS.upstream.signInLimits;
  type Limit = { attempts?: number; window?: Duration };
  const one = (given: Limit | undefined, def: { attempts: number; window: Duration }) =>
    Object.freeze({
      attempts: given?.attempts ?? def.attempts,
      window: parseDuration(given?.window ?? def.window)!,
    });
  return Object.freeze({
    identifier: one(limits?.identifier, d.identifier),
    ip: one(limits?.ip, d.ip),
  });
}

/** A short, safe description of a given option value for an error message (never a secret). */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}
