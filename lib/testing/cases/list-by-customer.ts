import assert from "node:assert/strict";
import { customer, id, MISSING, record, type CaseKit } from "./kit.js";

/** `listByCustomer`, which `listCustomerSessions` and `revokeCustomerSessions` need. */
export function listByCustomerCases({ feature, afterExpiry }: CaseKit): void {
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
}
