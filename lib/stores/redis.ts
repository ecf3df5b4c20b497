import { createHash } from "node:crypto";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { limiterOptions, rateLimiterCounter } from "./attempt-counter.js";
import {
  expiresAt,
  type AttemptCounter,
  type AttemptCounterOptions,
  type SessionLimits,
  type SessionRecord,
  type SessionStore,
} from "./session-store.js";

/**
 * The one method bff-session needs from a Redis client. ioredis (`Redis` and `Cluster`) has
 * `call(command, ...args)`; a node-redis v4/v5 client has `sendCommand([command, ...args])`; a
 * node-redis cluster (`createCluster()`) has `sendCommand(firstKey, isReadonly, args)` and is
 * told apart by its `getSlotMaster()`. Any of them is used as given: the store never connects,
 * quits or reconfigures it (connect-redis's rule).
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
  | { sendCommand(args: string[]): Promise<unknown> }
  | {
      sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
      getSlotMaster(slot: number): unknown;
    };

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
type Script = { source: string; sha: string };

// Adds a session to its customer's index, drops members whose absolute deadline has passed,
// keeps the index alive as long as its longest session, and, past the per-customer cap, removes
// and returns the lowest-scored members (the sessions whose absolute deadline comes first:
// with the default lifetimes, the oldest), never the new one. One key, so one slot.
const INDEX_ADD = luaScript(`
local index, id = KEYS[1], ARGV[2]
redis.call('ZADD', index, ARGV[1], id)
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[3])
if redis.call('PTTL', index) < tonumber(ARGV[4]) then redis.call('PEXPIRE', index, ARGV[4]) end
local over = redis.call('ZCARD', index) - tonumber(ARGV[5])
local ended = {}
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', index, 0, over)) do
    if member ~= id and #ended < over then ended[#ended + 1] = member end
  end
  redis.call('ZREM', index, unpack(ended))
end
return ended`);
// The same, after writing the session itself (KEYS[2], ARGV[6] for PX ARGV[7]): a sign-in in
// one command, where session and index can be written together (one server, not a cluster).
const SESSION_ADD = luaScript(
  `
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])${INDEX_ADD.source}`,
);

function luaScript(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
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

  /** Runs a script by its SHA-1, sending its text only when the server lacks it. */
  private async script({ source, sha }: Script, keys: string[], args: string[]): Promise<unknown> {
    const numKeys = String(keys.length);
    try {
      return await this.send(["EVALSHA", sha, numKeys, ...keys, ...args]);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return this.send(["EVAL", source, numKeys, ...keys, ...args]);
    }
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
}

/**
 * A time in whole milliseconds, as PX, PEXPIRE and scores are sent. Deadlines can be fractional
 * (RFC 7519 allows `exp: 1700000000.5`); Redis refuses a fractional PX.
 */
function ms(value: number): string {
  return String(Math.ceil(value));
}

/**
 * How commands reach the client, and whether it talks to one server: an ioredis `Redis` (not a
 * `Cluster`) or a node-redis client (not a cluster). A `call` client that does not say it is
 * no cluster is taken for one, which only costs a sign-in a second command.
 */
function connection(client: RedisClientLike | undefined): { send: Send; single: boolean } {
  if (client !== null && typeof client === "object") {
    if ("call" in client && typeof client.call === "function") {
      return {
        send: ([command, ...args]) => client.call(command!, ...args),
        single: (client as { isCluster?: unknown }).isCluster === false,
      };
    }
    if ("sendCommand" in client && typeof client.sendCommand === "function") {
      if ("getSlotMaster" in client && typeof client.getSlotMaster === "function") {
        // A node-redis cluster routes by the key it is given: each command here has one.
        return {
          send: (args) => client.sendCommand(keyOf(args), READONLY.has(args[0]!), args),
          single: false,
        };
      }
      const one = client as { sendCommand(args: string[]): Promise<unknown> };
      return { send: (args) => one.sendCommand(args), single: true };
    }
  }
  throw new TypeError(
    'RedisSessionStore: option "client" must be a connected ioredis client or Cluster, or a node-redis client or cluster (createClient/createCluster)',
  );
}

const READONLY: ReadonlySet<string> = new Set(["GET", "ZRANGE"]);

/** The key a command touches: after `numkeys` for scripts, else the first argument. */
function keyOf(args: string[]): string {
  return args[0] === "EVALSHA" || args[0] === "EVAL" ? args[3]! : args[1]!;
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
