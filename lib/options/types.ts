import type { CustomerStore } from "../customers/customer-store.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { ResolvedCookie } from "../session/cookie.js";
import type { Lifetime } from "../session/lifetime.js";
import type { StoreCapabilities } from "../stores/capabilities.js";
import type { SessionLimits, SessionStore } from "../stores/session-store.js";
import type { KeySource } from "../token/keys/key-source.js";
import type { TokenPolicy } from "../token/verify-token.js";
import type { Duration } from "./duration.js";
import type { ResolvedUpstream, UpstreamOptions } from "./upstream-types.js";

/** The `cart` option after defaults. */
export interface ResolvedCart {
  guard: boolean;
}

/** The keys of what the BFF hashes and signs itself, resolved once (see `resolveSecrets`). */
export interface ResolvedSecrets {
  /** HMAC-SHA256 key of the sign-in attempt counters and the identity records. */
  hash: string;
  /** HMAC keys of the guest cart cookie: the first signs, all verify (rotation). */
  cartCookie: readonly string[];
  /** False for the random key of this process (no secret given, the memory store). */
  given: boolean;
}

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
  /** The cart `storeApi()` keeps for each browser (with `upstream`). */
  cart?: {
    /**
     * Only the browser's own carts are reachable: `/store/carts/{id}/…` for an id this browser
     * does not hold is 404, never forwarded. Default true. `false` forwards any cart id, as the
     * backend itself answers anyone who has one (a leaked id then reads and changes that cart:
     * email, addresses, items).
     */
    guard?: boolean;
  };
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
 * Options after validation and defaults: frozen plain data, computed once per router. The
 * stores are as the app gave them (undefined when not given): `resolveOptions` builds nothing,
 * the router builds the defaults (see {@link RouterOptions}).
 */
export interface ResolvedOptions {
  keys: KeySource;
  /** Undefined only with `upstream` (the router then reads the backend's customer). */
  customers: CustomerStore | undefined;
  /** Undefined when not given (the router then makes a `MemorySessionStore`). */
  sessions: SessionStore | undefined;
  /** What the given session store can do (everything, for the default one). */
  capabilities: Readonly<StoreCapabilities>;
  /** The claim policy (seconds for durations), plus what the router does with the token. */
  token: Omit<TokenPolicy, "keys" | "now"> & { keep: boolean; singleUse: boolean };
  cookie: ResolvedCookie;
  lifetime: Lifetime;
  limits: SessionLimits;
  upstream: ResolvedUpstream | undefined;
  cart: ResolvedCart;
  secrets: ResolvedSecrets;
  csrf: { trustedOrigins: ReadonlySet<string>; allowSameSite: boolean } | false;
  onEvent: ((event: SessionEvent) => unknown) | undefined;
  /** The logger to use, never undefined: the app's (guarded), stderr, or silent. */
  logger: Logger;
  /** True when the app gave a logger: only then are debug lines built. */
  logDebug: boolean;
  now: () => number;
}

/**
 * {@link ResolvedOptions} with the stores the router built where the app gave none: what the
 * request path works with.
 */
export type RouterOptions = Readonly<
  Omit<ResolvedOptions, "sessions" | "customers"> & {
    sessions: SessionStore;
    customers: CustomerStore;
  }
>;
