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
  /** Registers a case reported as skipped. Default: the runner's `it.skip`. */
  skip?(name: string, fn: () => Promise<void>): void;
}

/**
 * The optional features of a {@link SessionStore} the kit checks, each needed by a router
 * feature: listing (list/revoke), used tokens (`token.singleUse`, `upstream`), the
 * per-customer cap (`session.maxPerCustomer`) and shared attempt counts
 * (`upstream.signInLimits`).
 *
 * @example
 * ```ts
 * const lacks: Partial<Record<StoreFeature, string>> = { maxPerCustomer: "would read every session per sign-in" };
 * ```
 */
export type StoreFeature =
  "listByCustomer" | "consumeTokenId" | "maxPerCustomer" | "attemptCounter";

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
  /**
   * Features the store lacks on purpose, each with the reason: their cases are reported as
   * skipped with it, never as passed. A missing `listByCustomer`, `consumeTokenId` or `attemptCounter` is found
   * on its own when the factory returns the store synchronously; otherwise, and for the cap
   * (which `set` shows only when called), a case for a feature the store lacks fails.
   */
  lacks?: Partial<Record<StoreFeature, string>>;
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
 * implemented — per-customer listing, single-use token ids and the per-customer cap. A feature
 * the store lacks is reported as skipped with the reason, never as passed. Uses real time (the two expiry
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
  const skip = harness.skip ?? (it as { skip?: ConformanceHarness["it"] }).skip;
  const lacks = { ...detectMissing(factory, options.teardown), ...options.lacks };
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
  /** A case of an optional feature: skipped, with the reason, when the store lacks it. */
  const feature = (
    needs: StoreFeature,
    title: string,
    body: (store: SessionStore) => Promise<void>,
  ) => {
    const reason = lacks[needs];
    if (reason === undefined) return test(title, body);
    const skipped = `${title} (skipped: ${reason})`;
    if (typeof skip !== "function") {
      throw new TypeError(
        `sessionStoreConformance: "${skipped}" needs a harness that can skip (it.skip or harness.skip)`,
      );
    }
    skip(skipped, async () => {});
  };

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

    feature(
      "listByCustomer",
      "listByCustomer lists exactly the customer's live sessions",
      async (store) => {
        assert.equal(typeof store.listByCustomer, "function", MISSING("listByCustomer"));
        const a = customer();
        const [k1, k2, k3, k4] = [id(), id(), id(), id()];
        await store.set(k1, record(a));
        await store.set(k2, record(a));
        await store.set(k3, record(customer()));
        await store.set(k4, record(a, 40));
        await afterExpiry();
        await store.destroy(k2);
        const listed = await store.listByCustomer!(a);
        assert.deepEqual(
          listed.map(([key]) => key),
          [k1],
        );
        assert.equal(listed[0]![1].customerId, a);
        assert.deepEqual(await store.listByCustomer!(customer()), []);
      },
    );

    feature("consumeTokenId", "consumeTokenId is true once per id, atomically", async (store) => {
      assert.equal(typeof store.consumeTokenId, "function", MISSING("consumeTokenId"));
      const token = id();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.consumeTokenId!(token, Date.now() + 60_000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.consumeTokenId!(id(), Date.now() + 60_000), true);
    });

    feature(
      "consumeTokenId",
      "consumeTokenId forgets an id once its period is over",
      async (store) => {
        assert.equal(typeof store.consumeTokenId, "function", MISSING("consumeTokenId"));
        const token = id();
        assert.equal(await store.consumeTokenId!(token, Date.now() + 40), true);
        await afterExpiry();
        assert.equal(await store.consumeTokenId!(token, Date.now() + 60_000), true);
        assert.equal(await store.consumeTokenId!(token, Date.now() + 60_000), false);
      },
    );

    feature(
      "maxPerCustomer",
      "set with maxPerCustomer ends the customer's oldest sessions, never the new one nor others'",
      async (store) => {
        const a = customer();
        const b = customer();
        const limits = { maxPerCustomer: 2 };
        const keys = [id(), id(), id(), id()];
        const other = id();
        await store.set(other, record(b));
        const ended: unknown[] = [];
        for (const [i, key] of keys.entries()) {
          // Each sign-in later than the last, as real ones are.
          const r = record(a);
          r.createdAt += i;
          r.lastSeenAt += i;
          r.absoluteExpiresAt += i;
          ended.push(await store.set(key, r, limits));
        }
        assert.ok(
          ended.every(Array.isArray),
          "set must resolve the ids it ended (declare lacks.maxPerCustomer if it does not cap)",
        );
        assert.deepEqual(ended, [[], [], [keys[0]], [keys[1]]]);
        for (const key of keys.slice(0, 2)) assert.equal((await store.get(key)) ?? null, null);
        for (const key of [...keys.slice(2), other])
          assert.notEqual((await store.get(key)) ?? null, null);
      },
    );

    feature(
      "attemptCounter",
      "attemptCounter allows `attempts` per key, refuses beyond, and reward and delete give back",
      async (store) => {
        assert.equal(typeof store.attemptCounter, "function", MISSING("attemptCounter"));
        const window = 60_000;
        const counter = store.attemptCounter!({ keyPrefix: `conf:${id()}`, attempts: 2, window });
        const [key, other] = [id(), id()];
        const allowed = async (k: string) => (await counter.consume(k)).allowed;
        assert.deepEqual([await allowed(key), await allowed(key)], [true, true]);
        const refused = await counter.consume(key);
        assert.equal(refused.allowed, false);
        assert.ok(refused.msBeforeNext > 0 && refused.msBeforeNext <= window, "msBeforeNext");
        assert.equal(await allowed(other), true, "keys are counted apart");
        await counter.reward(key); // 3 taken, 1 given back: still at the limit
        await counter.reward(key);
        assert.deepEqual([await allowed(key), await allowed(key)], [true, false]);
        await counter.delete(key);
        assert.deepEqual([await allowed(key), await allowed(key)], [true, true]);
        await counter.delete(id()); // an unknown key is not an error
      },
    );

    test("touch and destroy racing in either order: once destroy resolved, gone", async (store) => {
      for (let round = 0; round < 20; round++) {
        const key = id();
        const r = record(customer());
        await store.set(key, r);
        const touched = { ...r, lastSeenAt: r.lastSeenAt + 1, idleExpiresAt: r.idleExpiresAt + 1 };
        const destroyed =
          round % 2 === 0
            ? Promise.all([store.destroy(key), store.touch(key, touched)])
            : Promise.all([
                store.touch(key, touched),
                store.touch(key, touched),
                store.destroy(key),
              ]);
        await destroyed;
        assert.equal((await store.get(key)) ?? null, null, `round ${round}`);
        assert.equal(await store.touch(key, touched), false, `round ${round}: touch after destroy`);
      }
    });
  });
}

const MISSING = (method: string) =>
  `the store has no ${method}(): declare it in options.lacks with the reason, so the case is reported as skipped`;

/** The optional methods a synchronously built store lacks (the probe is torn down at once). */
function detectMissing(
  factory: () => SessionStore | Promise<SessionStore>,
  teardown: ConformanceOptions["teardown"],
): Partial<Record<StoreFeature, string>> {
  let probe: SessionStore | Promise<SessionStore>;
  try {
    probe = factory();
  } catch {
    return {}; // built from what a beforeAll sets up: judged case by case instead
  }
  if (typeof (probe as Promise<SessionStore>).then === "function") {
    void (probe as Promise<SessionStore>).then((store) => teardown?.(store)).catch(() => {});
    return {};
  }
  const store = probe as SessionStore;
  const missing: Partial<Record<StoreFeature, string>> = {};
  for (const method of ["listByCustomer", "consumeTokenId", "attemptCounter"] as const) {
    if (typeof store[method] !== "function") missing[method] = `the store has no ${method}()`;
  }
  void Promise.resolve()
    .then(() => teardown?.(store))
    .catch(() => {});
  return missing;
}
