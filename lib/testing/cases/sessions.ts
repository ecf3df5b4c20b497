import assert from "node:assert/strict";
import { expiresAt } from "../../stores/session-store.js";
import { customer, id, record, type CaseKit } from "./kit.js";

/** The four required methods: round trips, copies, guarded touch, idempotent destroy, expiry. */
export function sessionCases({ test, afterExpiry }: CaseKit): void {
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

  test("touch and destroy racing in either order: once destroy resolved, gone", async (store) => {
    for (let round = 0; round < 20; round++) {
      const key = id();
      const r = record(customer());
      await store.set(key, r);
      const touched = { ...r, lastSeenAt: r.lastSeenAt + 1, idleExpiresAt: r.idleExpiresAt + 1 };
      const destroyed =
        round % 2 === 0
          ? Promise.all([store.destroy(key), store.touch(key, touched)])
          : Promise.all([store.touch(key, touched), store.touch(key, touched), store.destroy(key)]);
      await destroyed;
      assert.equal((await store.get(key)) ?? null, null, `round ${round}`);
      assert.equal(await store.touch(key, touched), false, `round ${round}: touch after destroy`);
    }
  });
}
