import type { SessionStore } from "../../lib/index.js";

/** A store with the four required methods only (it keeps nothing). */
export const bareStore = (): SessionStore => ({
  get: async () => null,
  set: async () => {},
  touch: async () => false,
  destroy: async () => {},
});

/** A store with every optional method too, that is not a MemorySessionStore (a shared one). */
export const fullStore = (): SessionStore => ({
  ...bareStore(),
  listByCustomer: async () => [],
  consumeTokenId: async () => true,
  attemptCounter: () => ({
    consume: async () => ({ allowed: true, msBeforeNext: 0 }),
    reward: async () => {},
    delete: async () => {},
  }),
  getRecord: async () => null,
  setRecord: async () => {},
});
