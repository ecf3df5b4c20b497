import { randomBytes } from "node:crypto";
import pg from "pg";
import { PostgresSessionStore } from "../../lib/index.js";

export const DATABASE_URL =
  process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/bff_session_test";

/** `describe` when the global setup reached PostgreSQL, a loudly reported skip otherwise (never under CI). */
export const describePostgres: jest.Describe =
  process.env.BFF_TEST_PG === "0" ? describe.skip : describe;

/**
 * For the enclosing describe: a pool on the test database and a table of its own (dropped
 * afterwards), so runs and suites never see each other's rows.
 */
export function usePostgres(label: string) {
  const ctx = {} as {
    pool: pg.Pool;
    table: string;
    store: (now?: () => number) => PostgresSessionStore;
  };
  const table = `bff_test_${label}_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    ctx.pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
    ctx.table = table;
    ctx.store = (now) => new PostgresSessionStore({ pool: ctx.pool, table, sweepInterval: 0, now });
    await ctx.store().createTable();
  });
  afterAll(async () => {
    await ctx.pool.query(
      `DROP TABLE IF EXISTS ${table}, ${table}_used_tokens, ${table}_attempts, ${table}_records`,
    );
    await ctx.pool.end();
  });
  return ctx;
}
