import { RateLimiterRedis } from "rate-limiter-flexible";
import { limiterOptions, rateLimiterCounter } from "./attempt-counter.js";
import { connection, type RedisClientLike, type Send } from "./redis-client.js";
import { INDEX_ADD, runScript, SESSION_ADD, type Script } from "./redis-scripts.js";
import { checkRecordKey, checkRecordWrite } from "./small-records.js";
import {
  expiresAt,
  type AttemptCounter,
  type AttemptCounterOptions,
  type SessionLimits,
  type SessionRecord,
  type SessionStore,
} from "./session-store.js";

export type { RedisClientLike } from "./redis-client.js";

/**
 * Options of {@link RedisSessionStore}.
 *
 * @example
 * ```ts
 * new RedisSessionStore({ client: redis, prefix: "shop-eu:" });
 * ```
 */
export interface RedisSessionStoreOptions {
  /** A connected ioredis or node-redis client, created and owned by the app. */
  client: RedisClientLike;
  /** Prepended to every key. Default "bff:". */
  prefix?: string;
  /** The clock (ms since the epoch) TTLs are computed with. Default `Date.now`. */
  now?: () => number;
}

/**
 * Sessions in Redis, shared by every instance of the BFF.
 *
 * Keys (with the default prefix "bff:"):
 * - `bff:s:<sessionId>` — the session record as JSON, with a TTL to the earlier of its idle and
 *   absolute deadlines. `<sessionId>` is the SHA-256 of the cookie token.
 * - `bff:c:<customerId>` — a sorted set of the customer's session ids, scored by absolute
 *   deadline, for listing, revocation and the per-customer cap. It is an index, not the truth:
 *   members are dropped when their absolute deadline passes, when their session is destroyed,
 *   or past the cap — never merely because their session key is missing when the index is
 *   read, since that may be a sign-in whose session write has not landed yet.
 * - `bff:j:<hash>` — a used token (`token.singleUse`), for as long as the token is accepted.
 * - `bff:r:<key>` — a small record (`getRecord`/`setRecord`: a customer's last cart, the
 *   customer of an identity), a string until its `until`.
 *
 * On Redis Cluster every command touches one key, so the store works without hash tags: a
 * tag would force all of a customer's keys into one slot, yet a session is looked up by id
 * alone (the request does not know its customer), so the session and index keys cannot share
 * a tag anyway. There a sign-in sends its two writes (index, session) at once; a crash between
 * them leaves at worst a stale index member, or a session whose cookie was never sent. On one
 * server (an ioredis `Redis`, a node-redis client) a sign-in is one script that writes both.
 * Scripts go by EVALSHA, their text only once per server (after NOSCRIPT).
 *
 * `touch` is `SET … XX`: it only replaces a key that still exists, so a slow request that
 * finishes after logout cannot bring the session back (the bug of connect-redis#328).
 * Needs Redis ≥ 6.2 (GETDEL).
 *
 * @example
 * ```ts
 * import Redis from "ioredis";
 * const client = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: 2, enableOfflineQueue: false });
 * createSessionRouter({ keys, customers, sessions: new RedisSessionStore({ client }) });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  private readonly send: Send;
  /** One server, so a script may touch keys of different slots. */
  private readonly single: boolean;
  private readonly client: RedisClientLike;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(options: RedisSessionStoreOptions) {
    const { client, prefix = "bff:", now = Date.now } = options ?? ({} as RedisSessionStoreOptions);
    const { send, single } = connection(client);
    this.send = send;
    this.single = single;
    this.client = client;
    if (typeof prefix !== "string")
      throw new TypeError('RedisSessionStore: option "prefix" must be a string');
    this.prefix = prefix;
    this.now = now;
  }

  async get(id: string): Promise<SessionRecord | null> {
    const raw = await this.send(["GET", this.sessionKey(id)]);
    return raw === null || raw === undefined ? null : parseRecord(raw);
  }

  async set(id: string, record: SessionRecord, limits?: SessionLimits): Promise<string[]> {
    const now = this.now();
    const index = [
      ms(record.absoluteExpiresAt),
      id,
      ms(now),
      ms(Math.max(1, record.absoluteExpiresAt - now)),
      String(limits?.maxPerCustomer ?? Number.MAX_SAFE_INTEGER),
    ];
    const indexKey = this.indexKey(record.customerId);
    const sessionKey = this.sessionKey(id);
    const value = JSON.stringify(record);
    const ended = this.single
      ? await this.script(SESSION_ADD, [indexKey, sessionKey], [...index, value, this.ttl(record)])
      : (
          await Promise.all([
            this.script(INDEX_ADD, [indexKey], index),
            this.send(["SET", sessionKey, value, "PX", this.ttl(record)]),
          ])
        )[0];
    if (!Array.isArray(ended) || ended.length === 0) return [];
    const ids = ended.map(String);
    // One key per command: the sessions live in other slots than their index on a cluster.
    await Promise.all(ids.map((old) => this.send(["DEL", this.sessionKey(old)])));
    return ids;
  }

  async touch(id: string, record: SessionRecord): Promise<boolean> {
    const reply = await this.send([
      "SET",
      this.sessionKey(id),
      JSON.stringify(record),
      "PX",
      this.ttl(record),
      "XX",
    ]);
    return reply === "OK";
  }

  async destroy(id: string): Promise<void> {
    const raw = await this.send(["GETDEL", this.sessionKey(id)]);
    if (raw === null || raw === undefined) return;
    const record = parseRecord(raw);
    if (typeof record.customerId === "string")
      await this.send(["ZREM", this.indexKey(record.customerId), id]);
  }

  async listByCustomer(customerId: string): Promise<Array<[string, SessionRecord]>> {
    const ids = (await this.send(["ZRANGE", this.indexKey(customerId), "0", "-1"])) as string[];
    const raws = await Promise.all(ids.map((id) => this.send(["GET", this.sessionKey(id)])));
    const live: Array<[string, SessionRecord]> = [];
    ids.forEach((id, i) => {
      const raw = raws[i];
      if (raw !== null && raw !== undefined) live.push([id, parseRecord(raw)]);
    });
    return live;
  }

  /**
   * Failed sign-ins counted in this Redis (rate-limiter-flexible's script: one key per
   * counter, so a cluster routes it like the sessions), under the store's prefix.
   */
  attemptCounter(options: AttemptCounterOptions): AttemptCounter {
    const limiter = new RateLimiterRedis({
      ...limiterOptions(options),
      keyPrefix: this.prefix + options.keyPrefix,
      storeClient: this.client,
      // node-redis (no `call`) has its own command signatures.
      useRedisPackage: !("call" in this.client),
    });
    return rateLimiterCounter(limiter);
  }

  async consumeTokenId(tokenId: string, until: number): Promise<boolean> {
    const ttl = ms(Math.max(1, until - this.now()));
    const reply = await this.send(["SET", `${this.prefix}j:${tokenId}`, "1", "PX", ttl, "NX"]);
    return reply === "OK";
  }

  async getRecord(key: string): Promise<string | null> {
    checkRecordKey(key);
    const raw = await this.send(["GET", this.recordKey(key)]);
    return raw === null || raw === undefined ? null : String(raw);
  }

  /**
   * One key per record, so a cluster routes it like a session. The TTL is computed with the
   * store's clock, as the sessions' are; a record whose `until` has already passed is deleted
   * rather than written (Redis refuses a TTL that is not positive).
   */
  async setRecord(key: string, value: string | null, until: number): Promise<void> {
    checkRecordWrite(key, value, until);
    const ttl = Math.ceil(until - this.now());
    if (value === null || ttl <= 0) await this.send(["DEL", this.recordKey(key)]);
    else await this.send(["SET", this.recordKey(key), value, "PX", String(ttl)]);
  }

  private script(script: Script, keys: string[], args: string[]): Promise<unknown> {
    return runScript(this.send, script, keys, args);
  }

  private ttl(record: SessionRecord): string {
    return ms(Math.max(1, expiresAt(record) - this.now()));
  }

  private sessionKey(id: string): string {
    return `${this.prefix}s:${id}`;
  }

  private indexKey(customerId: string): string {
    return `${this.prefix}c:${customerId}`;
  }

  private recordKey(key: string): string {
    return `${this.prefix}r:${key}`;
  }
}

/**
 * A time in whole milliseconds, as PX, PEXPIRE and scores are sent. Deadlines can be fractional
 * (RFC 7519 allows `exp: 1700000000.5`); Redis refuses a fractional PX.
 */
function ms(value: number): string {
  return String(Math.ceil(value));
}

/**
 * A record from its JSON. What is not JSON comes back as an empty object, which the session
 * manager refuses as corrupted, deletes and reports (it never authenticates anyone).
 */
function parseRecord(raw: unknown): SessionRecord {
  try {
    const value: unknown = JSON.parse(String(raw));
    return (typeof value === "object" && value !== null ? value : {}) as SessionRecord;
  } catch {
    return {} as SessionRecord;
  }
}
