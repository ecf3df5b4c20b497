import { checkStoreCapabilities } from "../../lib/stores/capabilities.js";
import type { SessionStore } from "../../lib/index.js";
import { bareStore, fullStore } from "../support/fake-stores.js";

const NOTHING = { upstream: false, singleUse: false };

describe("checkStoreCapabilities", () => {
  it("reads what a store can do from its methods", () => {
    expect(checkStoreCapabilities(bareStore(), NOTHING)).toEqual({
      consumeTokenId: false,
      listByCustomer: false,
      attemptCounter: false,
    });
    const full = fullStore();
    expect(checkStoreCapabilities(full, { upstream: true, singleUse: true })).toEqual({
      consumeTokenId: true,
      listByCustomer: true,
      attemptCounter: true,
    });
  });

  it("a property that is not a function is not a capability", () => {
    const odd = { ...bareStore(), consumeTokenId: true } as unknown as SessionStore;
    expect(checkStoreCapabilities(odd, NOTHING).consumeTokenId).toBe(false);
  });

  it("without a store (the default memory store), everything", () => {
    expect(checkStoreCapabilities(undefined, { upstream: true, singleUse: true })).toEqual({
      consumeTokenId: true,
      listByCustomer: true,
      attemptCounter: true,
    });
  });

  it.each<[string, { upstream: boolean; singleUse: boolean }, RegExp]>([
    [
      "upstream",
      { upstream: true, singleUse: false },
      /which "upstream" needs for single-use stand-ins and de-duplicated refresh/,
    ],
    [
      "token.singleUse",
      { upstream: false, singleUse: true },
      /which "token\.singleUse" needs to start one session per token/,
    ],
  ])(
    "refuses a store without consumeTokenId when %s is on, naming option and method",
    (_name, needs, why) => {
      const check = () => checkStoreCapabilities(bareStore(), needs);
      expect(check).toThrow(TypeError);
      expect(check).toThrow(
        /^option "sessions": this store cannot claim a value once \(consumeTokenId\)/,
      );
      expect(check).toThrow(why);
    },
  );

  it("allows a store without attemptCounter (counted per process), and says so", () => {
    const store = { ...bareStore(), consumeTokenId: async () => true };
    expect(checkStoreCapabilities(store, { upstream: true, singleUse: false }).attemptCounter).toBe(
      false,
    );
  });

  it("only inspects: no method of the store is called", () => {
    const calls: string[] = [];
    const spy = new Proxy(bareStore(), {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === "function"
          ? (...args: unknown[]) => {
              calls.push(String(key));
              return (value as (...a: unknown[]) => unknown)(...args);
            }
          : value;
      },
    });
    checkStoreCapabilities(spy, NOTHING);
    expect(calls).toEqual([]);
  });
});
