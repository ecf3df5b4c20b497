/**
 * The SQL of {@link PostgresSessionStore}: the tables it needs and the one statement behind
 * each operation. Table names are interpolated, so they are checked against {@link IDENTIFIER}
 * before they get here; every value goes as a parameter.
 */

/** A lowercase identifier, optionally schema-qualified: the only table names accepted. */
export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * The tables and indexes of a store on `table`: the sessions, the used tokens, the sign-in
 * attempt counts (in rate-limiter-flexible's layout) and the small records. Idempotent.
 */
export function schemaSql(table: string): string {
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
CREATE TABLE IF NOT EXISTS ${table}_records (
  key text PRIMARY KEY,
  value text NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index}_records_expires_idx ON ${table}_records (expires_at);
`;
}

/** The statement of each operation on `table`. Times are bigint ms since the epoch. */
export function statements(table: string) {
  const used = `${table}_used_tokens`;
  const records = `${table}_records`;
  /** Deletes at most $2 rows of `from` expired at $1 (a bounded batch, so no long lock). */
  const sweep = (from: string, key: string, expiry: string) =>
    `DELETE FROM ${from} WHERE ${key} IN (SELECT ${key} FROM ${from} WHERE ${expiry} <= $1 LIMIT $2)`;
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
    getRecord: `SELECT value FROM ${records} WHERE key = $1 AND expires_at > $2`,
    setRecord: `INSERT INTO ${records} (key, value, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
    deleteRecord: `DELETE FROM ${records} WHERE key = $1`,
    sweep: sweep(table, "id", "expires_at"),
    sweepUsed: sweep(used, "id", "expires_at"),
    sweepAttempts: sweep(`${table}_attempts`, "key", "expire"),
    sweepRecords: sweep(records, "key", "expires_at"),
  };
}
