import assert from "node:assert/strict";
import { id, MISSING, type CaseKit } from "./kit.js";

/** `consumeTokenId`, which `token.singleUse` and `upstream` (stand-ins, refresh) need. */
export function consumeTokenIdCases({ feature, afterExpiry }: CaseKit): void {
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
}
