import { memoryAttemptCounter } from "./attempt-counter.js";
import { checkRecordKey, checkRecordWrite } from "./small-records.js";
import {
  expiresAt,
  type AttemptCounter,
  type AttemptCounterOptions,
  type SessionLimits,
  type SessionRecord,
  type SessionStore,
} from "./session-store.js";

/**
 * Options of {@link MemorySessionStore}.
 *
 * @example
 * ```ts
 * new MemorySessionStore({ maxSessions: 10_000, sweepInterval: 30_000 });
 * ```
 */
export interface MemorySessionStoreOptions {
  /**
   * The most sessions kept. Past it, a sign-in ends the signing-in customer's own oldest
   * session if they have one, else the oldest session of all: one customer never pushes out
   * others. Default 100,000.
   */
  maxSessions?: number;
  /** How often expired sessions are swept, in milliseconds; 0 turns the timer off. Default 60,000. */
  sweepInterval?: number;
  /** The clock (ms since the epoch), for tests. Default `Date.now`. */
  now?: () => number;
}

let warnedInProduction = false;
const EMPTY: ReadonlySet<string> = new Set();
/** The ids to end so that `ids` (oldest first) holds at most `max` with `newId`: never `newId`. */
function overCap(ids: Iterable<string>, newId: string, max: number): string[] {
  const others = [...ids].filter((id) => id !== newId);
  return others.slice(0, Math.max(0, others.length + 1 - max));
}
/**
 * The frozen copy a record is kept as. Object.assign, not a spread: V8 gives a spread copy that
 * is then frozen a hidden class of its own, which costs memory and time per session (figures in
 * bench/README.md, "Notes from the code").
 */
const frozenCopy = (record: SessionRecord): SessionRecord =>
  Object.freeze(Object.assign({}, record));
const first = <T>(items: Iterable<T>): T | undefined => {
  for (const item of items) return item;
  return undefined;
};

/**
 * Sessions in this process's memory: the default store, right for one instance and for tests.
 * Records are kept frozen and handed out as they are (no copy per read).
 * Each entry expires on its own deadline, expired entries are swept on a timer, and the number
 * of sessions is bounded so a login flood cannot exhaust memory. Sessions are lost on restart
 * and not shared between instances: use {@link RedisSessionStore} for that.
 *
 * @example
 * ```ts
 * const router = createSessionRouter({ keys, customers, sessions: new MemorySessionStore({ maxSessions: 50_000 }) });
 * ```
 */
export class MemorySessionStore implements SessionStore {
  private readonly records = new Map<string, SessionRecord>();
  private readonly byCustomer = new Map<string, Set<string>>();
  private readonly usedTokenIds = new Map<string, number>();
  private readonly smallRecords = new Map<string, { value: string; until: number }>();
  private readonly maxSessions: number;
  private readonly now: () => number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemorySessionStoreOptions = {}) {
    const { maxSessions = 100_000, sweepInterval = 60_000, now = Date.now } = options;
    if (!Number.isInteger(maxSessions) || maxSessions < 1) {
      throw new TypeError('MemorySessionStore: option "maxSessions" must be a positive integer');
    }
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw new TypeError(
        'MemorySessionStore: option "sweepInterval" must be a non-negative number',
      );
    }
    this.maxSessions = maxSessions;
    this.now = now;
    if (sweepInterval > 0) {
      this.timer = setInterval(() => this.sweep(), sweepInterval);
      this.timer.unref();
    }
    if (process.env.NODE_ENV === "production" && !warnedInProduction) {
      warnedInProduction = true;
      process.emitWarning(
        "MemorySessionStore keeps sessions in one process: they are lost on restart and not shared between instances. Use RedisSessionStore in production.",
        { code: "BFF_SESSION_MEMORY_STORE" },
      );
    }
  }

  /** How many sessions are held (expired ones not yet swept included). */
  get size(): number {
    return this.records.size;
  }

  async get(id: string): Promise<SessionRecord | null> {
    const record = this.records.get(id);
    if (record === undefined) return null;
    if (expiresAt(record) <= this.now()) {
      this.remove(id, record);
      return null;
    }
    return record;
  }

  async set(id: string, record: SessionRecord, limits?: SessionLimits): Promise<string[]> {
    const existing = this.records.get(id);
    if (existing !== undefined) this.remove(id, existing);
    // Sets and Maps iterate in insertion order: the first id is the oldest session.
    const mine = () => this.byCustomer.get(record.customerId) ?? EMPTY;
    const ended = limits === undefined ? [] : overCap(mine(), id, limits.maxPerCustomer);
    for (const old of ended) this.remove(old, this.records.get(old)!);
    while (this.records.size >= this.maxSessions) {
      const own = mine().size > 0;
      const oldest = first(own ? mine() : this.records.keys())!;
      this.remove(oldest, this.records.get(oldest)!);
      if (own) ended.push(oldest); // resolved: the customer's own sessions only
    }
    this.records.set(id, frozenCopy(record));
    let ids = this.byCustomer.get(record.customerId);
    if (ids === undefined) this.byCustomer.set(record.customerId, (ids = new Set()));
    ids.add(id);
    return ended;
  }

  async touch(id: string, record: SessionRecord): Promise<boolean> {
    const existing = this.records.get(id);
    // Only a session that is still here and still live is replaced: a destroyed or expired
    // one stays gone (the resurrection bug of connect-redis#328).
    if (existing === undefined || existing.customerId !== record.customerId) return false;
    if (expiresAt(existing) <= this.now()) {
      this.remove(id, existing);
      return false;
    }
    this.records.set(id, frozenCopy(record));
    return true;
  }

  async destroy(id: string): Promise<void> {
    const record = this.records.get(id);
    if (record !== undefined) this.remove(id, record);
  }

  async listByCustomer(customerId: string): Promise<Array<[string, SessionRecord]>> {
    const ids = this.byCustomer.get(customerId);
    if (ids === undefined) return [];
    const now = this.now();
    const live: Array<[string, SessionRecord]> = [];
    for (const id of [...ids]) {
      const record = this.records.get(id)!;
      if (expiresAt(record) <= now) this.remove(id, record);
      else live.push([id, record]);
    }
    return live;
  }

  /** Failed sign-ins counted in this process's memory, as the sessions are. */
  attemptCounter(options: AttemptCounterOptions): AttemptCounter {
    return memoryAttemptCounter(options);
  }

  async consumeTokenId(tokenId: string, until: number): Promise<boolean> {
    const now = this.now();
    const seenUntil = this.usedTokenIds.get(tokenId);
    if (seenUntil !== undefined && seenUntil > now) return false;
    this.usedTokenIds.set(tokenId, until);
    return true;
  }

  async getRecord(key: string): Promise<string | null> {
    checkRecordKey(key);
    const kept = this.smallRecords.get(key);
    if (kept === undefined) return null;
    if (kept.until <= this.now()) {
      this.smallRecords.delete(key);
      return null;
    }
    return kept.value;
  }

  async setRecord(key: string, value: string | null, until: number): Promise<void> {
    checkRecordWrite(key, value, until);
    if (value === null) this.smallRecords.delete(key);
    else this.smallRecords.set(key, { value, until });
  }

  /** Drops every expired session, used token id and small record now. Runs on the sweep timer. */
  sweep(): void {
    const now = this.now();
    for (const [id, record] of this.records) {
      if (expiresAt(record) <= now) this.remove(id, record);
    }
    for (const [tokenId, until] of this.usedTokenIds) {
      if (until <= now) this.usedTokenIds.delete(tokenId);
    }
    for (const [key, { until }] of this.smallRecords) {
      if (until <= now) this.smallRecords.delete(key);
    }
  }

  /** Stops the sweep timer (it never keeps the process alive, so this is optional). */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private remove(id: string, record: SessionRecord): void {
    this.records.delete(id);
    const ids = this.byCustomer.get(record.customerId);
    if (ids === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.byCustomer.delete(record.customerId);
  }
}
