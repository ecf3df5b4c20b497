import { RateLimiterPostgres } from "rate-limiter-flexible";
import { limiterOptions, rateLimiterCounter } from "./attempt-counter.js";
import type {
  AttemptCounter,
  AttemptCounterOptions,
  SessionLimits,
  SessionRecord,
  SessionStore,
} from "./session-store.js";
import { expiresAt } from "./session-store.js";
import { IDENTIFIER, schemaSql, statements } from "./postgres-schema.js";
import { checkRecordKey, checkRecordWrite } from "./small-records.js";

/**
 * What the store needs of a node-postgres `Pool` (or `Client`): `query(text, values)`. The app
 * creates, configures and ends the pool; the store never connects, ends or reconfigures it.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool: PgPoolLike = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
 * ```
 */
export interface PgPoolLike {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
}

/**
 * Options of {@link PostgresSessionStore}.
 *
 * @example
 * ```ts
 * new PostgresSessionStore({ pool, table: "auth.bff_sessions", sweepInterval: 60_000 });
 * ```
 */
export interface PostgresSessionStoreOptions {
  /** A node-postgres pool the app created and owns. */
  pool: PgPoolLike;
  /**
   * The sessions table, optionally schema-qualified. Used tokens go to `<table>_used_tokens`,
   * sign-in attempt counts to `<table>_attempts`, small records to `<table>_records`. Default
   * "bff_sessions".
   */
  table?: string;
  /** How often expired rows are deleted, in ms; 0 turns the timer off. Default 60,000. */
  sweepInterval?: number;
  /** The most rows one sweep statement deletes; a sweep repeats until fewer are left. Default 1,000. */
  sweepBatch?: number;
  /** The clock (ms since the epoch) expiry is judged by. Default `Date.now`. */
  now?: () => number;
}

/**
 * Sessions in PostgreSQL, shared by every instance: for deployments that run PostgreSQL (as
 * Medusa does) and want list, revoke, single use and race-safe touch without Redis.
 *
 * One table keyed by the session id (the SHA-256 of the cookie's token), the customer id
 * indexed; times are milliseconds since the epoch. Every operation is one statement, so there
 * is no session-level state (no prepared statement names, no advisory locks, no SET): it works
 * through PgBouncer in transaction mode. `touch` is an `UPDATE … WHERE` the row is still live,
 * so it cannot revive a destroyed or expired session. The per-customer cap runs in the same
 * statement as the insert. Expired rows are deleted in bounded batches on a timer that never
 * keeps the process alive. The table is created by {@link PostgresSessionStore.createTable}
 * (or the SQL it runs, shown in docs/stores.md), never as a side effect of a request.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresSessionStore({ pool });
 * await store.createTable(); // once, at deploy time (or run the SQL of PostgresSessionStore.schema())
 * createSessionRouter({ keys, customers, sessions: store });
 * ```
 */
export class PostgresSessionStore implements SessionStore {
  private readonly pool: PgPoolLike;
  private readonly table: string;
  private readonly now: () => number;
  private readonly sweepBatch: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly sql: ReturnType<typeof statements>;

  constructor(options: PostgresSessionStoreOptions) {
    const {
      pool,
      table = "bff_sessions",
      sweepInterval = 60_000,
      sweepBatch = 1000,
      now = Date.now,
    } = options ?? ({} as PostgresSessionStoreOptions);
    if (typeof pool !== "object" || pool === null || typeof pool.query !== "function") {
      throw new TypeError(
        'PostgresSessionStore: option "pool" must be a node-postgres Pool (an object with query())',
      );
    }
    if (typeof table !== "string" || !IDENTIFIER.test(table)) {
      throw new TypeError(
        'PostgresSessionStore: option "table" must be a lowercase identifier, optionally schema-qualified ("auth.bff_sessions")',
      );
    }
    if (!Number.isFinite(sweepInterval) || sweepInterval < 0) {
      throw new TypeError(
        'PostgresSessionStore: option "sweepInterval" must be a non-negative number of ms',
      );
    }
    if (!Number.isInteger(sweepBatch) || sweepBatch < 1) {
      throw new TypeError('PostgresSessionStore: option "sweepBatch" must be a positive integer');
    }
    this.pool = pool;
    this.table = table;
    this.now = now;
    this.sweepBatch = sweepBatch;
    this.sql = statements(table);
    if (sweepInterval > 0) {
      this.timer = setInterval(() => void this.sweep().catch(() => {}), sweepInterval);
      this.timer.unref();
    }
  }

  /**
   * The SQL {@link createTable} runs: the sessions table with its customer and expiry indexes,
   * and the tables of used tokens, sign-in attempts and small records. Idempotent
   * (`IF NOT EXISTS`).
   *
   * @example
   * ```ts
   * console.log(PostgresSessionStore.schema("bff_sessions")); // paste into your migration
   * ```
   */
  static schema(table = "bff_sessions"): string {
    if (!IDENTIFIER.test(table)) throw new TypeError("PostgresSessionStore.schema: bad table name");
    return schemaSql(table);
  }

  /** Creates the tables and indexes if they do not exist (the SQL of {@link schema}). */
  async createTable(): Promise<void> {
    await this.pool.query(PostgresSessionStore.schema(this.table));
  }

  async get(id: string): Promise<SessionRecord | null> {
    const { rows } = await this.pool.query(this.sql.get, [id, this.clock()]);
    return (rows[0]?.record as SessionRecord | undefined) ?? null;
  }

  async set(id: string, record: SessionRecord, limits?: SessionLimits): Promise<string[]> {
    const { rows } = await this.pool.query(this.sql.set, [
      id,
      record.customerId,
      JSON.stringify(record),
      Math.floor(record.createdAt),
      Math.ceil(record.absoluteExpiresAt),
      Math.ceil(expiresAt(record)),
      this.clock(),
      limits?.maxPerCustomer ?? null,
    ]);
    return rows.map((row) => String(row.id));
  }

  async touch(id: string, record: SessionRecord): Promise<boolean> {
    const { rowCount } = await this.pool.query(this.sql.touch, [
      id,
      JSON.stringify(record),
      Math.ceil(expiresAt(record)),
      this.clock(),
    ]);
    return rowCount === 1;
  }

  async destroy(id: string): Promise<void> {
    await this.pool.query(this.sql.destroy, [id]);
  }

  async listByCustomer(customerId: string): Promise<Array<[string, SessionRecord]>> {
    const { rows } = await this.pool.query(this.sql.list, [customerId, this.clock()]);
    return rows.map((row) => [String(row.id), row.record as SessionRecord]);
  }

  /**
   * Failed sign-ins counted in the `<table>_attempts` table of {@link schema}, through
   * rate-limiter-flexible's PostgreSQL limiter (which never creates tables itself here, and
   * whose expired rows the sweep deletes).
   */
  attemptCounter(options: AttemptCounterOptions): AttemptCounter {
    const [schemaName, tableName] = this.table.includes(".")
      ? this.table.split(".")
      : [undefined, this.table];
    const limiter = new RateLimiterPostgres({
      ...limiterOptions(options),
      storeClient: this.pool,
      storeType: "pool", // any object with query(), as the store itself takes
      tableName: `${tableName}_attempts`,
      ...(schemaName === undefined ? {} : { schemaName }),
      tableCreated: true,
      clearExpiredByTimeout: false,
    });
    return rateLimiterCounter(limiter);
  }

  async consumeTokenId(tokenId: string, until: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(this.sql.consume, [
      tokenId,
      Math.ceil(until),
      this.clock(),
    ]);
    return rowCount === 1;
  }

  async getRecord(key: string): Promise<string | null> {
    checkRecordKey(key);
    const { rows } = await this.pool.query(this.sql.getRecord, [key, this.clock()]);
    const value = rows[0]?.value;
    return value === undefined || value === null ? null : String(value);
  }

  /** An upsert; an expired row is ignored on read until the sweep deletes it. */
  async setRecord(key: string, value: string | null, until: number): Promise<void> {
    checkRecordWrite(key, value, until);
    if (value === null) await this.pool.query(this.sql.deleteRecord, [key]);
    else await this.pool.query(this.sql.setRecord, [key, value, Math.ceil(until)]);
  }

  /**
   * Deletes expired sessions, used tokens, attempt counts and small records, `sweepBatch` rows
   * per statement, until none are left; resolves how many sessions it deleted. Runs on the
   * sweep timer.
   */
  async sweep(): Promise<number> {
    let deleted = 0;
    const { sweep, sweepUsed, sweepAttempts, sweepRecords } = this.sql;
    for (const statement of [sweep, sweepUsed, sweepAttempts, sweepRecords]) {
      for (;;) {
        const { rowCount } = await this.pool.query(statement, [this.clock(), this.sweepBatch]);
        if (statement === sweep) deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < this.sweepBatch) break;
      }
    }
    return deleted;
  }

  /** The store's clock in whole milliseconds (the columns are bigint). */
  private clock(): number {
    return Math.floor(this.now());
  }

  /** Stops the sweep timer (it never keeps the process alive, so this is optional). The pool stays open. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
