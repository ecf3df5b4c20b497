/**
 * What a session store keeps for one session. Times are milliseconds since the epoch. The
 * store never sees the cookie's token: it is keyed by the token's SHA-256.
 *
 * @example
 * ```ts
 * const record: SessionRecord = {
 *   customerId: "cus_123",
 *   createdAt: Date.now(),
 *   lastSeenAt: Date.now(),
 *   idleExpiresAt: Date.now() + 2 * 3600_000,
 *   absoluteExpiresAt: Date.now() + 10 * 3600_000,
 * };
 * ```
 */
export interface SessionRecord {
  /**
   * The key the router wrote this record under. A record read under any other key (a store
   * that cross-wires keys, a copied entry) is refused as corrupted. Stores keep it as given.
   */
  sid?: string;
  /** The customer this session authenticates. */
  customerId: string;
  /** When the session was created (the login). */
  createdAt: number;
  /** The last time the session was used and its idle deadline moved (written at most once per `touchInterval`). */
  lastSeenAt: number;
  /** The session ends if not used before this moment. */
  idleExpiresAt: number;
  /** The session ends at this moment however much it is used. */
  absoluteExpiresAt: number;
  /** The User-Agent of the login request, for session lists. */
  userAgent?: string;
  /** With `token.keep`: the customer's JWT, sealed with a key only the cookie's token yields. */
  token?: string;
  /** With `token.keep`: when the kept token was issued (`iat`), for refreshing it in time. */
  tokenIssuedAt?: number;
  /** With `token.keep`: when the kept token expires (`exp`); the session cannot outlive it. */
  tokenExpiresAt?: number;
  /**
   * With `upstream`: the kept token names no customer yet (a registration, or a sign-in waiting
   * for MFA or verification). Such a session authenticates nothing; `customerId` is then the
   * token's auth identity.
   */
  pending?: boolean;
  /** With `upstream`: the SHA-256 of the stand-in last handed out for the kept token. */
  standIn?: string;
  /** When that stand-in stops being accepted. */
  standInExpiresAt?: number;
}

/**
 * The moment a record stops being valid: the earlier of its idle and absolute deadlines.
 *
 * @example
 * ```ts
 * await redis.set(key, JSON.stringify(record), "PXAT", expiresAt(record));
 * ```
 */
export function expiresAt(record: SessionRecord): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
}

/**
 * Where sessions live. Implement it to keep sessions anywhere; run the conformance suite from
 * `bff-session/testing` to prove the implementation. Every method returns a promise; a store
 * signals failure by rejecting (the client then gets the documented 500 `database_error`).
 *
 * @example
 * ```ts
 * const sessions: SessionStore = {
 *   async get(id) { return cache.get(id) ?? null; },
 *   async set(id, record) { cache.set(id, record, { until: expiresAt(record) }); },
 *   async touch(id, record) { return cache.replaceIfPresent(id, record); },
 *   async destroy(id) { cache.delete(id); },
 * };
 * ```
 */
export interface SessionStore {
  /** The record under `id`, or null when there is none or it has expired. */
  get(id: string): Promise<SessionRecord | null | undefined>;
  /**
   * Stores a new session. It must disappear by itself at `expiresAt(record)`. A store that
   * honours `limits.maxPerCustomer` ends the customer's oldest sessions beyond it (never the
   * new one) and resolves their ids (an empty list when none); one that resolves nothing does
   * not cap, and the router says so once in a warning.
   */
  set(id: string, record: SessionRecord, limits?: SessionLimits): Promise<void | string[]>;
  /**
   * Replaces the record of a session that still exists and resolves `true`; resolves `false`
   * and writes nothing when the session is gone. It must never bring back a destroyed session,
   * even when a `destroy` races it (so no read-then-write without a guard).
   */
  touch(id: string, record: SessionRecord): Promise<boolean>;
  /** Removes the session. Removing an absent session is not an error. */
  destroy(id: string): Promise<void>;
  /** The live sessions of a customer. Needed by `listCustomerSessions`/`revokeCustomerSessions`. */
  listByCustomer?(customerId: string): Promise<Array<[id: string, record: SessionRecord]>>;
  /**
   * Records a token id (JWT `jti`) as used until `until` and resolves `true` the first time,
   * `false` when it was already recorded. Needed by `token.singleUse`.
   */
  consumeTokenId?(tokenId: string, until: number): Promise<boolean>;
  /**
   * A small record kept beside the sessions, shared by every instance: the cart a customer
   * had at their last sign-out, the customer an account identity belongs to. Resolves the
   * value stored under `key`, or null when there is none or it has expired. Needed by
   * `upstream` (the cart, account changes).
   */
  getRecord?(key: string): Promise<string | null>;
  /**
   * Stores `value` under `key` until `until` (ms since the epoch), replacing what was there;
   * `null` removes it. Keys are the router's (a kind and a hash or an id, at most 200
   * characters), values short strings (at most 4 KiB).
   */
  setRecord?(key: string, value: string | null, until: number): Promise<void>;
  /**
   * A counter of attempts kept in the store's own backend, so that every instance shares the
   * count (failed sign-ins with `upstream.signInLimits`). Without it the router counts in
   * process memory and says so once, at setup, in a warning.
   */
  attemptCounter?(options: AttemptCounterOptions): AttemptCounter;
}

/**
 * What the router asks of `SessionStore.attemptCounter`: at most `attempts` per key within
 * `window` milliseconds (a fixed window from the key's first attempt), its keys kept apart from
 * every other counter's by `keyPrefix`.
 *
 * @example
 * ```ts
 * const ip = store.attemptCounter!({ keyPrefix: "attempts:ip", attempts: 100, window: 15 * 60_000 });
 * ```
 */
export interface AttemptCounterOptions {
  /** Names this counter in the backend, e.g. "attempts:ip". */
  keyPrefix: string;
  /** How many attempts one key may take per window. */
  attempts: number;
  /** The window, in milliseconds. */
  window: number;
}

/**
 * The answer of {@link AttemptCounter.consume}.
 *
 * @example
 * ```ts
 * const { allowed, msBeforeNext } = await counter.consume(key);
 * if (!allowed) res.set("Retry-After", String(Math.ceil(msBeforeNext / 1000)));
 * ```
 */
export interface AttemptVerdict {
  /** False when the key has used up its attempts for this window. */
  allowed: boolean;
  /** Milliseconds until the window ends and the key's count starts again. */
  msBeforeNext: number;
}

/**
 * Counts attempts per key (keys are opaque strings the router has already hashed). A failure
 * of the backend rejects; a refusal resolves `allowed: false`. Built-in stores implement it with
 * rate-limiter-flexible; your own store may use anything with an atomic increment.
 *
 * @example
 * ```ts
 * const counter: AttemptCounter = {
 *   async consume(key) {
 *     const n = await redis.incr(key);
 *     if (n === 1) await redis.pexpire(key, window);
 *     return { allowed: n <= attempts, msBeforeNext: Math.max(0, await redis.pttl(key)) };
 *   },
 *   async reward(key) { await redis.decr(key); },
 *   async delete(key) { await redis.del(key); },
 * };
 * ```
 */
export interface AttemptCounter {
  /** Takes one attempt for `key`, also when it is refused; resolves whether it was allowed. */
  consume(key: string): Promise<AttemptVerdict>;
  /** Gives one attempt back (the attempt said nothing about the password). */
  reward(key: string): Promise<void>;
  /** Forgets the key's count (a success). Forgetting an unknown key is not an error. */
  delete(key: string): Promise<void>;
}

/**
 * What the router asks of a store when it writes a new session.
 *
 * @example
 * ```ts
 * const ended: string[] | void = await store.set(id, record, { maxPerCustomer: 10 });
 * ```
 */
export interface SessionLimits {
  /** The most live sessions one customer may hold, the new one included. */
  maxPerCustomer: number;
}

/**
 * One session as `listCustomerSessions` reports it: metadata only, never a token.
 *
 * @example
 * ```ts
 * const list: SessionInfo[] = await sessions.listCustomerSessions(req.auth!.customerId);
 * res.json(list.map((s) => ({ device: s.userAgent, last_seen: s.lastSeenAt, current: s.sessionId === req.auth!.sessionId })));
 * ```
 */
export interface SessionInfo {
  /** The store key (SHA-256 of the cookie token), usable as `except` in a revocation. */
  sessionId: string;
  customerId: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** The earlier of the idle and absolute deadlines. */
  expiresAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  userAgent: string | undefined;
  /** A label for people, from the User-Agent: "Firefox on Windows", "Safari on iPhone". */
  device: string | undefined;
}

/** True when `value` has the shape of a {@link SessionRecord}; stores may return anything. */
export function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.customerId === "string" &&
    r.customerId.length > 0 &&
    Number.isFinite(r.createdAt) &&
    Number.isFinite(r.lastSeenAt) &&
    Number.isFinite(r.idleExpiresAt) &&
    Number.isFinite(r.absoluteExpiresAt) &&
    (r.userAgent === undefined || typeof r.userAgent === "string") &&
    (r.token === undefined || typeof r.token === "string") &&
    (r.tokenIssuedAt === undefined || Number.isFinite(r.tokenIssuedAt)) &&
    (r.tokenExpiresAt === undefined || Number.isFinite(r.tokenExpiresAt)) &&
    (r.sid === undefined || typeof r.sid === "string") &&
    (r.pending === undefined || typeof r.pending === "boolean") &&
    (r.standIn === undefined || typeof r.standIn === "string") &&
    (r.standInExpiresAt === undefined || Number.isFinite(r.standInExpiresAt))
  );
}
