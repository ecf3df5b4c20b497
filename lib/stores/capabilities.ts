import type { SessionStore } from "./session-store.js";

/**
 * What a session store can do beyond get/set/touch/destroy, read once at setup.
 *
 * @example
 * ```ts
 * const can = checkStoreCapabilities(store, { upstream: true, singleUse: false });
 * if (!can.attemptCounter) logger.warn({}, "failed sign-ins are counted per process");
 * ```
 */
export interface StoreCapabilities {
  /** `consumeTokenId`: claims a value once, across instances. */
  consumeTokenId: boolean;
  /** `listByCustomer`: lists a customer's sessions (list and revoke). */
  listByCustomer: boolean;
  /** `attemptCounter`: counts sign-in attempts where every instance sees the count. */
  attemptCounter: boolean;
  /** `getRecord` and `setRecord`: small records shared by every instance (the cart, account changes). */
  records: boolean;
}

/**
 * The router features that need a capability of the store.
 *
 * @example
 * ```ts
 * const needs: StoreNeeds = { upstream: options.upstream !== undefined, singleUse: false };
 * ```
 */
export interface StoreNeeds {
  /**
   * `upstream` is set: single-use stand-ins and a refresh done once per session, and small
   * records for the cart and account changes.
   */
  upstream: boolean;
  /** `token.singleUse`: each token starts one session. */
  singleUse: boolean;
}

/** What the default store (a new `MemorySessionStore`, used when `sessions` is not given) has. */
const EVERYTHING: Readonly<StoreCapabilities> = Object.freeze({
  consumeTokenId: true,
  listByCustomer: true,
  attemptCounter: true,
  records: true,
});

/**
 * Reads what `store` can do and throws a TypeError naming the option and the missing methods
 * when a feature the options turn on cannot work with it. It only inspects the store: nothing is
 * called or built. A store without `attemptCounter` is allowed (the count then stays in process
 * memory); the answer says so, for the router to warn once.
 *
 * @example
 * ```ts
 * checkStoreCapabilities(fromExpressSessionStore(store), { upstream: true, singleUse: false });
 * // TypeError: option "sessions": this store cannot claim a value once (consumeTokenId), which "upstream" needs …
 * ```
 */
export function checkStoreCapabilities(
  store: SessionStore | undefined,
  needs: StoreNeeds,
): Readonly<StoreCapabilities> {
  if (store === undefined) return EVERYTHING;
  const can: StoreCapabilities = Object.freeze({
    consumeTokenId: typeof store.consumeTokenId === "function",
    listByCustomer: typeof store.listByCustomer === "function",
    attemptCounter: typeof store.attemptCounter === "function",
    records: typeof store.getRecord === "function" && typeof store.setRecord === "function",
  });
  if (!can.consumeTokenId && (needs.upstream || needs.singleUse)) {
    const by = needs.upstream
      ? '"upstream" needs for single-use stand-ins and de-duplicated refresh'
      : '"token.singleUse" needs to start one session per token';
    throw new TypeError(
      `option "sessions": this store cannot claim a value once (consumeTokenId), which ${by}; use MemorySessionStore, RedisSessionStore or PostgresSessionStore`,
    );
  }
  if (!can.records && needs.upstream) {
    const missing = (["getRecord", "setRecord"] as const).filter(
      (method) => typeof store[method] !== "function",
    );
    throw new TypeError(
      `option "sessions": this store cannot keep small records (${missing.join(", ")}), which "upstream" needs for the cart and for ending the sessions of a changed account; use MemorySessionStore, RedisSessionStore or PostgresSessionStore`,
    );
  }
  return can;
}
