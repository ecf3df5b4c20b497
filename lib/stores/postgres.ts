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
  /** The sessions table, optionally schema-qualified. Used tokens go to `<table>_used_tokens`. Default "bff_sessions". */
  table?: string;
  /** How often expired rows are deleted, in ms; 0 turns the timer off. Default 60,000. */
  sweepInterval?: number;
  /** The most rows one sweep statement deletes; a sweep repeats until fewer are left. Default 1,000. */
  sweepBatch?: number;
  /** The clock (ms since the epoch) expiry is judged by. Default `Date.now`. */
  now?: () => number;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

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
 * (or the SQL it runs, shown in the README), never as a side effect of a request.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const store = new PostgresSessionStore({ pool });
 * await store.createTable(); // once, at deploy time (or run the README's SQL)
 * createSessionRouter({ keys, customers, sessions: store });
 * ```
 */
export class PostgresSessionStore implements SessionStore {
  private readonly pool: PgPoolLike;
  private readonly table: string;
  private readonly used: string;
  private readonly now: () => number;
  private readonly sweepBatch: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly sql: Record<
    | "get"
    | "set"
    | "touch"
    | "destroy"
    | "list"
    | "consume"
    | "sweep"
    | "sweepUsed"
    | "sweepAttempts",
    string
  >;

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
    this.used = `${table}_used_tokens`;
    this.now = now;
    this.sweepBatch = sweepBatch;
    this.sql = statements(table, this.used);
    if (sweepInterval > 0) {
      this.timer = setInterval(() => void this.sweep().catch(() => {}), sweepInterval);
      this.timer.unref();
    }
  }

  /**
   * The SQL {@link createTable} runs: the sessions table, its customer index, its expiry index
   * and the used-token table. Idempotent (`IF NOT EXISTS`).
   *
   * @example
   * ```ts
   * console.log(PostgresSessionStore.schema("bff_sessions")); // paste into your migration
   * ```
   */
  static schema(table = "bff_sessions"): string {
    if (!IDENTIFIER.test(table)) throw new TypeError("PostgresSessionStore.schema: bad table name");
    const index = table.replace(".", "_");
    return `CREATE TABLE IF NOT EXISTS ${table} (
  id text PRIMARY KEY,
  customer_id text NOT NULL,
  record jsonb NOT NULL,
  created_at bigint NOT NULL,
  absolute_expires_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index}_customer_idx ON ${table} (customer_id, absolute_expires_at);
CREATE INDEX IF NOT EXISTS ${index}_expires_idx ON ${table} (expires_at);
CREATE TABLE IF NOT EXISTS ${table}_used_tokens (
  id text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index}_used_tokens_expires_idx ON ${table}_used_tokens (expires_at);
CREATE TABLE IF NOT EXISTS ${table}_attempts (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX IF NOT EXISTS ${index}_attempts_expire_idx ON ${table}_attempts (expire);
`;
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

  /**
   * Deletes expired sessions and used tokens, `sweepBatch` rows per statement, until none are
   * left; resolves how many sessions it deleted. Runs on the sweep timer.
   */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const statement of [this.sql.sweep, this.sql.sweepUsed, this.sql.sweepAttempts]) {
      for (;;) {
        const { rowCount } = await this.pool.query(statement, [this.clock(), this.sweepBatch]);
        if (statement === this.sql.sweep) deleted += rowCount ?? 0;
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

function statements(table: string, used: string) {
  return {
    get: `SELECT record FROM ${table} WHERE id = $1 AND expires_at > $2`,
    // The insert and the cap in one statement. The DELETE sees the table as it was before
    // the insert (one snapshot), so the new row is never among those ended: of the customer's
    // other live sessions the newest max − 1 are kept, the oldest end.
    set: `WITH inserted AS (
  INSERT INTO ${table} (id, customer_id, record, created_at, absolute_expires_at, expires_at)
  VALUES ($1, $2, $3::jsonb, $4, $5, $6)
  ON CONFLICT (id) DO UPDATE SET customer_id = EXCLUDED.customer_id, record = EXCLUDED.record,
    created_at = EXCLUDED.created_at, absolute_expires_at = EXCLUDED.absolute_expires_at,
    expires_at = EXCLUDED.expires_at
  RETURNING id
)
DELETE FROM ${table} WHERE $8::int IS NOT NULL AND id IN (
  SELECT id FROM ${table}
  WHERE customer_id = $2 AND id <> $1 AND expires_at > $7
  ORDER BY created_at DESC, id
  OFFSET GREATEST($8::int - 1, 0)
)
RETURNING id`,
    touch: `UPDATE ${table} SET record = $2::jsonb, expires_at = $3 WHERE id = $1 AND expires_at > $4`,
    destroy: `DELETE FROM ${table} WHERE id = $1`,
    list: `SELECT id, record FROM ${table} WHERE customer_id = $1 AND expires_at > $2 ORDER BY created_at`,
    // First use inserts; a use of a token whose remembered period is over takes the row over.
    consume: `INSERT INTO ${used} (id, expires_at) VALUES ($1, $2)
ON CONFLICT (id) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ${used}.expires_at <= $3`,
    sweep: `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE expires_at <= $1 LIMIT $2)`,
    sweepUsed: `DELETE FROM ${used} WHERE id IN (SELECT id FROM ${used} WHERE expires_at <= $1 LIMIT $2)`,
    sweepAttempts: `DELETE FROM ${table}_attempts WHERE key IN (SELECT key FROM ${table}_attempts WHERE expire <= $1 LIMIT $2)`,
  };
}
