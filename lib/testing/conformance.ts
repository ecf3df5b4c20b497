import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { expiresAt, type SessionRecord, type SessionStore } from "../stores/session-store.js";

/**
 * The test functions of your runner: jest, vitest, mocha (globals) or `node:test`.
 *
 * @example
 * ```ts
 * import { describe, it } from "node:test";
 * sessionStoreConformance("MyStore", () => new MyStore(), { harness: { describe, it } });
 * ```
 */
export interface ConformanceHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
}

/**
 * Options of {@link sessionStoreConformance}.
 *
 * @example
 * ```ts
 * sessionStoreConformance("MyStore", () => new MyStore(url), { teardown: (store) => (store as MyStore).close(), expiryResolution: 1000 });
 * ```
 */
export interface ConformanceOptions {
  /** Test functions; default: the global `describe` and `it` (jest, vitest, mocha). */
  harness?: ConformanceHarness;
  /**
   * How coarse the store's expiry is, in ms (1000 for stores with second TTLs, such as
   * connect-redis). The expiry cases wait this much longer. Default 0. The router checks
   * deadlines itself, so a coarse store is still safe; this only bounds cleanup.
   */
  expiryResolution?: number;
  /** Called after each case with the store it used (close connections, flush keys). */
  teardown?: (store: SessionStore) => void | Promise<void>;
}

const id = () => randomBytes(32).toString("base64url").slice(0, 43);
const customer = () => `cus_${randomBytes(6).toString("hex")}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function record(customerId: string, ttlMs = 60_000): SessionRecord {
  const now = Date.now();
  return {
    customerId,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + ttlMs,
    absoluteExpiresAt: now + 10 * ttlMs,
    userAgent: "conformance/1.0",
  };
}

/**
 * The behaviour every {@link SessionStore} must have, as one test suite. Run it against your
 * own store to prove it: round trips, copies, guarded `touch` (no resurrection after destroy,
 * also when the two race), idempotent `destroy`, expiry at the record's deadline, and — where
 * implemented — per-customer listing and single-use token ids. Uses real time (the two expiry
 * cases wait about 120 ms plus `expiryResolution`).
 *
 * @example
 * ```ts
 * // my-store.test.ts (jest or vitest)
 * import { sessionStoreConformance } from "bff-session/testing";
 * sessionStoreConformance("MyStore", () => new MyStore({ url: process.env.DB_URL }));
 * ```
 */
export function sessionStoreConformance(
  name: string,
  factory: () => SessionStore | Promise<SessionStore>,
  options: ConformanceOptions = {},
): void {
  const harness = options.harness ?? (globalThis as unknown as ConformanceHarness);
  if (typeof harness.describe !== "function" || typeof harness.it !== "function") {
    throw new TypeError(
      "sessionStoreConformance: no describe/it found; pass { harness: { describe, it } }",
    );
  }
  const { describe, it } = harness;
  const afterExpiry = () => sleep(120 + (options.expiryResolution ?? 0));
  const test = (title: string, body: (store: SessionStore) => Promise<void>) =>
    it(title, async () => {
      const store = await factory();
      try {
        await body(store);
      } finally {
        await options.teardown?.(store);
      }
    });

  describe(`SessionStore conformance: ${name}`, () => {
    test("get of an unknown id resolves null or undefined", async (store) => {
      assert.equal((await store.get(id())) ?? null, null);
    });

    test("set then get returns an equal record", async (store) => {
      const key = id();
      const r = record(customer());
      await store.set(key, r);
      assert.deepEqual(await store.get(key), r);
    });

    test("keeps its own copy of a record", async (store) => {
      const key = id();
      const r = record(customer());
      await store.set(key, r);
      const original = { ...r };
      r.customerId = "cus_mutated";
      assert.deepEqual(await store.get(key), original);
    });

    test("touch replaces a live record and resolves true", async (store) => {
      const key = id();
      const r = record(customer());
      await store.set(key, r);
      const touched = {
        ...r,
        lastSeenAt: r.lastSeenAt + 1000,
        idleExpiresAt: r.idleExpiresAt + 1000,
      };
      assert.equal(await store.touch(key, touched), true);
      assert.deepEqual(await store.get(key), touched);
    });

    test("touch of an unknown id resolves false and creates nothing", async (store) => {
      const key = id();
      assert.equal(await store.touch(key, record(customer())), false);
      assert.equal((await store.get(key)) ?? null, null);
    });

    test("destroy removes, and is idempotent", async (store) => {
      const key = id();
      await store.set(key, record(customer()));
      await store.destroy(key);
      assert.equal((await store.get(key)) ?? null, null);
      await store.destroy(key);
      await store.destroy(id());
    });

    test("touch after destroy never brings the session back", async (store) => {
      const key = id();
      const r = record(customer());
      await store.set(key, r);
      await store.destroy(key);
      assert.equal(await store.touch(key, { ...r, lastSeenAt: r.lastSeenAt + 1 }), false);
      assert.equal((await store.get(key)) ?? null, null);
    });

    test("a destroy racing a touch leaves the session gone", async (store) => {
      for (let round = 0; round < 20; round++) {
        const key = id();
        const r = record(customer());
        await store.set(key, r);
        await Promise.all([
          store.touch(key, { ...r, lastSeenAt: r.lastSeenAt + 1 }),
          store.destroy(key),
        ]);
        // Whatever the interleaving, once destroy has resolved the session must stay gone.
        assert.equal((await store.get(key)) ?? null, null, `round ${round}`);
      }
    });

    test("a record is gone once its deadline passes", async (store) => {
      const key = id();
      const r = record(customer(), 40);
      assert.ok(expiresAt(r) - Date.now() <= 40);
      await store.set(key, r);
      await afterExpiry();
      assert.equal((await store.get(key)) ?? null, null);
    });

    test("listByCustomer lists exactly the customer's live sessions", async (store) => {
      if (typeof store.listByCustomer !== "function") return;
      const a = customer();
      const [k1, k2, k3, k4] = [id(), id(), id(), id()];
      await store.set(k1, record(a));
      await store.set(k2, record(a));
      await store.set(k3, record(customer()));
      await store.set(k4, record(a, 40));
      await afterExpiry();
      await store.destroy(k2);
      const listed = await store.listByCustomer(a);
      assert.deepEqual(
        listed.map(([key]) => key),
        [k1],
      );
      assert.equal(listed[0]![1].customerId, a);
      assert.deepEqual(await store.listByCustomer(customer()), []);
    });

    test("consumeTokenId is true once per id, atomically", async (store) => {
      if (typeof store.consumeTokenId !== "function") return;
      const token = id();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.consumeTokenId!(token, Date.now() + 60_000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.consumeTokenId(id(), Date.now() + 60_000), true);
    });
  });
}
