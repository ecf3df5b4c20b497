import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import request from "supertest";
import { PostgresSessionStore, type SessionRecord } from "../../lib/index.js";
import { buildApp, createClock, signIn } from "../helpers.js";
import { DATABASE_URL, describePostgres, usePostgres } from "../support/postgres.js";

describe("PostgresSessionStore setup", () => {
  const pool = { query: async () => ({ rows: [], rowCount: 0 }) };
  it.each([undefined, null, {}, { query: "no" }])("refuses %p as a pool", (bad) => {
    expect(() => new PostgresSessionStore({ pool: bad as never })).toThrow(/option "pool"/);
  });
  it.each(["Sessions", "a;drop table x", "a.b.c", "", "1abc"])("refuses table %p", (table) => {
    expect(() => new PostgresSessionStore({ pool, table })).toThrow(/option "table"/);
  });
  it("accepts a schema-qualified table, and shows the SQL it creates", () => {
    expect(
      () => new PostgresSessionStore({ pool, table: "auth.bff_sessions", sweepInterval: 0 }),
    ).not.toThrow();
    const sql = PostgresSessionStore.schema("auth.bff_sessions");
    expect(sql).toMatch(/CREATE TABLE IF NOT EXISTS auth\.bff_sessions \(/);
    expect(sql).toMatch(
      /CREATE TABLE IF NOT EXISTS auth\.bff_sessions_records \(\n {2}key text PRIMARY KEY,/,
    );
    expect(sql).toContain("CREATE INDEX IF NOT EXISTS auth_bff_sessions_records_expires_idx");
  });
});

it("docs/stores.md shows the SQL that schema() runs, comments aside", () => {
  const doc = readFileSync(path.join(__dirname, "../../docs/stores.md"), "utf8");
  const shown = /```sql\n([\s\S]*?)```/.exec(doc)![1]!;
  const normalise = (sql: string) =>
    sql
      .replace(/--.*$/gm, "")
      .replace(/\s+/g, " ")
      .replace(/ ?([(),]) ?/g, "$1")
      .trim();
  expect(normalise(shown)).toBe(normalise(PostgresSessionStore.schema()));
});

describePostgres("PostgresSessionStore on the real PostgreSQL", () => {
  const db = usePostgres("store");
  const me = (app: ReturnType<typeof buildApp>, cookie: string) =>
    request(app.app).get("/store/customers/me").set("Cookie", cookie);

  function rec(customerId: string, now: number, idle = 60_000, absolute = 600_000): SessionRecord {
    return {
      customerId,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + idle,
      absoluteExpiresAt: now + absolute,
    };
  }

  it("createTable is idempotent and never needed by a request", async () => {
    await db.store().createTable();
    await db.store().createTable();
  });

  it("a login on one instance authenticates on another; list, revoke and logout work across them", async () => {
    const clock = createClock(Date.now());
    const a = buildApp({ sessions: db.store(clock.now) }, clock);
    const b = buildApp({ sessions: db.store(clock.now) }, clock);
    const phone = await signIn(a, "phone");
    const laptop = await signIn(b, "laptop");
    expect((await me(b, phone)).status).toBe(200);
    expect((await b.router.listCustomerSessions("cus_123")).map((s) => s.userAgent).sort()).toEqual(
      ["laptop", "phone"],
    );
    expect((await request(a.app).delete("/auth/session").set("Cookie", laptop)).status).toBe(200);
    expect((await me(b, laptop)).status).toBe(401);
    expect(await a.router.revokeCustomerSessions("cus_123")).toBe(1);
    expect((await me(b, phone)).status).toBe(401);
  });

  it("two instances racing touch against logout never resurrect a session (200 rounds)", async () => {
    const store = db.store();
    const other = new PostgresSessionStore({
      pool: new pg.Pool({ connectionString: DATABASE_URL, max: 10 }),
      table: db.table,
      sweepInterval: 0,
    });
    const now = Date.now();
    const ids = Array.from({ length: 200 }, (_, i) => `race${i}${"x".repeat(30)}`);
    await Promise.all(ids.map((id) => store.set(id, rec("cus_race", now))));
    await Promise.all(
      ids.map((id) => Promise.all([store.touch(id, rec("cus_race", now + 1)), other.destroy(id)])),
    );
    const alive = await Promise.all(ids.map((id) => store.get(id)));
    expect(alive.filter((r) => r !== null)).toHaveLength(0);
    await (other as unknown as { pool: pg.Pool }).pool.end();
  });

  it("keeps small records in <table>_records: upserted, expired rows ignored on read", async () => {
    let now = Date.now();
    const store = db.store(() => now);
    await store.setRecord("identity:abc", "cus_1", now + 1000.5);
    await store.setRecord("identity:abc", "cus_2", now + 1000.5);
    const { rows } = await db.pool.query(
      `SELECT key, value, expires_at FROM ${db.table}_records WHERE key = 'identity:abc'`,
    );
    expect(rows).toEqual([{ key: "identity:abc", value: "cus_2", expires_at: String(now + 1001) }]);
    expect(await store.getRecord("identity:abc")).toBe("cus_2");
    now += 1001;
    expect(await store.getRecord("identity:abc")).toBeNull();
    await store.setRecord("identity:abc", null, now);
    expect(
      (await db.pool.query(`SELECT 1 FROM ${db.table}_records WHERE key = 'identity:abc'`))
        .rowCount,
    ).toBe(0);
  });

  it("touch cannot revive an expired row", async () => {
    let now = Date.now();
    const store = db.store(() => now);
    await store.set("expired-row", rec("cus_exp", now, 1000));
    now += 1001;
    expect(await store.touch("expired-row", rec("cus_exp", now))).toBe(false);
    expect(await store.get("expired-row")).toBeNull();
  });

  it("sweeps expired rows in bounded batches, and never ends the pool", async () => {
    let now = Date.now();
    const store = new PostgresSessionStore({
      pool: db.pool,
      table: db.table,
      sweepInterval: 0,
      sweepBatch: 7,
      now: () => now,
    });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => store.set(`sweep${i}`, rec(`cus_sweep${i}`, now, 500))),
    );
    await store.set("sweep-live", rec("cus_sweep_live", now));
    await store.consumeTokenId("sweep-token", now + 500);
    await store.setRecord("sweep-record", "gone", now + 500);
    await store.setRecord("sweep-record-live", "kept", now + 60_000);
    now += 501;
    const queries = jest.spyOn(db.pool, "query");
    expect(await store.sweep()).toBe(30);
    // 30 rows in batches of 7: five statements for sessions, one each for used tokens,
    // sign-in attempts and small records.
    expect(queries).toHaveBeenCalledTimes(8);
    queries.mockRestore();
    expect(await store.get("sweep-live")).not.toBeNull();
    const records = await db.pool.query(
      `SELECT key FROM ${db.table}_records WHERE key LIKE 'sweep-record%'`,
    );
    expect(records.rows).toEqual([{ key: "sweep-record-live" }]);
    expect((await db.pool.query("SELECT 1")).rowCount).toBe(1);
  });

  it("caps a customer's sessions in the insert statement, oldest first", async () => {
    const now = Date.now();
    const store = db.store();
    const ended: string[][] = [];
    for (let i = 0; i < 5; i++) {
      ended.push(await store.set(`cap${i}`, rec("cus_cap", now + i), { maxPerCustomer: 3 }));
    }
    expect(ended).toEqual([[], [], [], ["cap0"], ["cap1"]]);
    expect((await store.listByCustomer("cus_cap")).map(([id]) => id)).toEqual([
      "cap2",
      "cap3",
      "cap4",
    ]);
  });
});
