import assert from "node:assert/strict";
import { id, MISSING, type CaseKit } from "./kit.js";

/** `attemptCounter`, which shares `upstream.signInLimits` counts between instances. */
export function attemptCounterCases({ feature }: CaseKit): void {
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
}
