import { expiresAt, type SessionRecord, type SessionStore } from "./session-store.js";

/**
 * The one method bff-session needs from a Redis client. ioredis has `call(command, ...args)`;
 * node-redis v4/v5 has `sendCommand([command, ...args])`. Either client is used as given: the
 * store never connects, quits or reconfigures it (connect-redis's rule).
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: RedisClientLike = await createClient({ url: process.env.REDIS_URL }).connect();
 * new RedisSessionStore({ client });
 * ```
 */
export type RedisClientLike =
  | { call(command: string, ...args: Array<string | number>): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> };

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

type Send = (args: string[]) => Promise<unknown>;

// Adds a session to its customer's index and keeps the index alive as long as its longest
// session, dropping members whose absolute deadline has passed. One key, so one slot.
const INDEX_ADD = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1`;

/**
 * Sessions in Redis, shared by every instance of the BFF.
 *
 * Keys (with the default prefix "bff:"):
 * - `bff:s:<sessionId>` — the session record as JSON, with a TTL to the earlier of its idle and
 *   absolute deadlines. `<sessionId>` is the SHA-256 of the cookie token.
 * - `bff:c:<customerId>` — a sorted set of the customer's session ids, scored by absolute
 *   deadline, for listing and revocation. It is an index, not the truth: a member whose session
 *   key is gone is pruned when the index is read.
 * - `bff:j:<hash>` — a used token id (`token.singleUse`), until the token's `exp`.
 *
 * Every command touches one key, so the store works on Redis Cluster without hash tags: a
 * tag would force all of a customer's keys into one slot, yet a session is looked up by id
 * alone (the request does not know its customer), so the session and index keys cannot share
 * a tag anyway. Writes that span both keys are ordered so that a crash between them leaves at
 * worst a stale index member, never a live session missing from its customer's index.
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
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(options: RedisSessionStoreOptions) {
    const { client, prefix = "bff:", now = Date.now } = options ?? ({} as RedisSessionStoreOptions);
    this.send = commandSender(client);
    if (typeof prefix !== "string")
      throw new TypeError('RedisSessionStore: option "prefix" must be a string');
    this.prefix = prefix;
    this.now = now;
  }

  async get(id: string): Promise<SessionRecord | null> {
    const raw = await this.send(["GET", this.sessionKey(id)]);
    return raw === null || raw === undefined ? null : parseRecord(raw);
  }

  async set(id: string, record: SessionRecord): Promise<void> {
    // Index first: a crash after it leaves a stale member (pruned later), not an unlisted session.
    const indexTtl = Math.max(1, record.absoluteExpiresAt - this.now());
    await this.send([
      "EVAL",
      INDEX_ADD,
      "1",
      this.indexKey(record.customerId),
      String(record.absoluteExpiresAt),
      id,
      String(this.now()),
      String(indexTtl),
    ]);
    await this.send([
      "SET",
      this.sessionKey(id),
      JSON.stringify(record),
      "PX",
      String(this.ttl(record)),
    ]);
  }

  async touch(id: string, record: SessionRecord): Promise<boolean> {
    const reply = await this.send([
      "SET",
      this.sessionKey(id),
      JSON.stringify(record),
      "PX",
      String(this.ttl(record)),
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
    const index = this.indexKey(customerId);
    const ids = (await this.send(["ZRANGE", index, "0", "-1"])) as string[];
    const raws = await Promise.all(ids.map((id) => this.send(["GET", this.sessionKey(id)])));
    const live: Array<[string, SessionRecord]> = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const raw = raws[i];
      if (raw === null || raw === undefined) gone.push(id);
      else live.push([id, parseRecord(raw)]);
    });
    if (gone.length > 0) await this.send(["ZREM", index, ...gone]);
    return live;
  }

  async consumeTokenId(tokenId: string, until: number): Promise<boolean> {
    const ttl = Math.max(1, until - this.now());
    const reply = await this.send([
      "SET",
      `${this.prefix}j:${tokenId}`,
      "1",
      "PX",
      String(ttl),
      "NX",
    ]);
    return reply === "OK";
  }

  private ttl(record: SessionRecord): number {
    return Math.max(1, Math.ceil(expiresAt(record) - this.now()));
  }

  private sessionKey(id: string): string {
    return `${this.prefix}s:${id}`;
  }

  private indexKey(customerId: string): string {
    return `${this.prefix}c:${customerId}`;
  }
}

function commandSender(client: RedisClientLike | undefined): Send {
  if (client !== null && typeof client === "object") {
    if ("call" in client && typeof client.call === "function") {
      return ([command, ...args]) => client.call(command!, ...args);
    }
    if ("sendCommand" in client && typeof client.sendCommand === "function") {
      return (args) => client.sendCommand(args);
    }
  }
  throw new TypeError(
    'RedisSessionStore: option "client" must be a connected ioredis or node-redis client',
  );
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
