import assert from "node:assert/strict";
import type { SessionStore } from "../../stores/session-store.js";
import { customer, id, MISSING, record, type CaseKit } from "./kit.js";

const HOUR = 3_600_000;

/** Asserts that the store has both record methods, for the cases below. */
function withRecords(store: SessionStore): Required<Pick<SessionStore, "getRecord" | "setRecord">> {
  assert.equal(typeof store.getRecord, "function", MISSING("getRecord"));
  assert.equal(typeof store.setRecord, "function", MISSING("setRecord"));
  return {
    getRecord: (key) => store.getRecord!(key),
    setRecord: (key, value, until) => store.setRecord!(key, value, until),
  };
}

/**
 * `getRecord`/`setRecord`, the small records `upstream` keeps beside the sessions (a customer's
 * last cart, the customer of an identity).
 */
export function recordCases({ feature, afterExpiry }: CaseKit): void {
  feature(
    "records",
    "setRecord then getRecord returns the string as given; a later write replaces it, null removes it",
    async (store) => {
      const { getRecord, setRecord } = withRecords(store);
      const [key, other] = [`conf:${id()}`, `conf:${id()}`];
      assert.equal(await getRecord(key), null);
      const value = '{"cart_id":"cart_01J"}\nnot parsed: é ✓';
      await setRecord(key, value, Date.now() + HOUR);
      await setRecord(other, "the other", Date.now() + HOUR);
      assert.equal(await getRecord(key), value);
      await setRecord(key, "cart_02", Date.now() + HOUR);
      assert.equal(await getRecord(key), "cart_02");
      await setRecord(key, null, Date.now() + HOUR);
      assert.equal(await getRecord(key), null);
      await setRecord(key, null, Date.now() + HOUR); // removing an absent record is not an error
      assert.equal(await getRecord(other), "the other", "keys are kept apart");
    },
  );

  feature(
    "records",
    "getRecord reads null once the record's until passes, and setRecord writes it again",
    async (store) => {
      const { getRecord, setRecord } = withRecords(store);
      const key = `conf:${id()}`;
      await setRecord(key, "short-lived", Date.now() + 40);
      assert.equal(await getRecord(key), "short-lived");
      await afterExpiry();
      assert.equal(await getRecord(key), null);
      await setRecord(key, "again", Date.now() + HOUR);
      assert.equal(await getRecord(key), "again");
    },
  );

  feature(
    "records",
    "setRecord keeps records up to the documented bounds whole: a 200-character key, a 4 KiB value",
    async (store) => {
      const { getRecord, setRecord } = withRecords(store);
      const key = `conf:${id()}${"k".repeat(200)}`.slice(0, 200);
      const value = `${"v".repeat(4094)}é`; // 4096 bytes in UTF-8
      assert.equal(Buffer.byteLength(value), 4096);
      await setRecord(key, value, Date.now() + HOUR);
      assert.equal(await getRecord(key), value);
      assert.equal(await getRecord(key.slice(0, 199)), null, "a prefix of the key is another key");
    },
  );

  feature(
    "records",
    "getRecord/setRecord and sessions are kept apart, also under one key",
    async (store) => {
      const { getRecord, setRecord } = withRecords(store);
      const key = id();
      const session = record(customer());
      await store.set(key, session);
      await setRecord(key, "a record", Date.now() + HOUR);
      assert.deepEqual(await store.get(key), session, "a record written over a session's key");
      await setRecord(key, null, Date.now() + HOUR);
      assert.deepEqual(await store.get(key), session, "a record removed under a session's key");
      await setRecord(key, "a record", Date.now() + HOUR);
      await store.destroy(key);
      assert.equal(await getRecord(key), "a record", "a session destroyed under a record's key");
    },
  );
}
