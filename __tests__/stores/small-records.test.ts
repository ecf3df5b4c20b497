import { MemorySessionStore, PostgresSessionStore, RedisSessionStore } from "../../lib/index.js";
import type { SessionStore } from "../../lib/index.js";

/** Each built-in store over a backend that records every call (and answers nothing). */
function stores() {
  const calls: unknown[] = [];
  const redis = new RedisSessionStore({
    client: { call: async (...args: unknown[]) => (calls.push(args), null) },
  });
  const postgres = new PostgresSessionStore({
    pool: { query: async (...args: unknown[]) => (calls.push(args), { rows: [], rowCount: 0 }) },
    sweepInterval: 0,
  });
  const memory = new MemorySessionStore({ sweepInterval: 0 });
  return { calls, all: [memory, redis, postgres] as SessionStore[] };
}

const HOUR = 3_600_000;

describe("the bounds of getRecord/setRecord, the same in every built-in store", () => {
  it.each<[string, unknown, unknown, unknown]>([
    ["an empty key", "", "v", Date.now() + HOUR],
    ["a key of 201 characters", "k".repeat(201), "v", Date.now() + HOUR],
    ["a key that is not a string", 42, "v", Date.now() + HOUR],
    ["a value of 4097 bytes", "k", "v".repeat(4097), Date.now() + HOUR],
    ["a value of 4097 bytes in fewer characters", "k", `${"v".repeat(4095)}é`, Date.now() + HOUR],
    ["a value that is not a string", "k", { cart: "c" }, Date.now() + HOUR],
    ["an until that is not a time", "k", "v", Number.NaN],
    ["an until that is a string", "k", "v", String(Date.now() + HOUR)],
  ])("setRecord throws a TypeError for %s, before reaching the backend", async (_, k, v, until) => {
    const { calls, all } = stores();
    for (const store of all) {
      await expect(store.setRecord!(k as string, v as string, until as number)).rejects.toThrow(
        TypeError,
      );
    }
    expect(calls).toEqual([]);
  });

  it.each([
    ["an empty key", ""],
    ["a key of 201 characters", "k".repeat(201)],
  ])("getRecord throws a TypeError for %s, before reaching the backend", async (_, key) => {
    const { calls, all } = stores();
    for (const store of all) {
      await expect(store.getRecord!(key)).rejects.toThrow(
        /^SessionStore\.getRecord\/setRecord: the key must be a string of 1 to 200 characters/,
      );
    }
    expect(calls).toEqual([]);
  });

  it("the message says what was received without echoing the value", async () => {
    const { all } = stores();
    const secretish = `cart_${"x".repeat(5000)}`;
    for (const store of all) {
      await expect(store.setRecord!("k", secretish, Date.now() + HOUR)).rejects.toThrow(
        "SessionStore.setRecord: the value must be null or a string of at most 4096 bytes (received a string of 5005 characters)",
      );
    }
  });

  it("accepts the bounds themselves, and null with any finite until", async () => {
    const { calls, all } = stores();
    for (const store of all) {
      await store.setRecord!("k".repeat(200), `${"v".repeat(4094)}é`, Date.now() + HOUR);
      await store.setRecord!("k", null, 0);
    }
    expect(calls).toHaveLength(4); // two for Redis, two for PostgreSQL
  });
});
