import assert from "node:assert/strict";
import { customer, id, record, type CaseKit } from "./kit.js";

/** The per-customer cap of `set(id, record, limits)`, which `session.maxPerCustomer` needs. */
export function maxPerCustomerCases({ feature }: CaseKit): void {
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
}
