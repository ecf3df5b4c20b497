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
      records: false,
    });
    const full = fullStore();
    expect(checkStoreCapabilities(full, { upstream: true, singleUse: true })).toEqual({
      consumeTokenId: true,
      listByCustomer: true,
      attemptCounter: true,
      records: true,
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
      records: true,
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
    const { attemptCounter, ...store } = fullStore();
    void attemptCounter;
    expect(checkStoreCapabilities(store, { upstream: true, singleUse: false }).attemptCounter).toBe(
      false,
    );
  });

  describe("small records (getRecord and setRecord)", () => {
    const without = (...methods: Array<"getRecord" | "setRecord">): SessionStore => {
      const store: Partial<SessionStore> = fullStore();
      for (const method of methods) delete store[method];
      return store as SessionStore;
    };

    it.each<[string, Array<"getRecord" | "setRecord">]>([
      ["getRecord, setRecord", ["getRecord", "setRecord"]],
      ["getRecord", ["getRecord"]],
      ["setRecord", ["setRecord"]],
    ])(
      "refuses a store without %s when upstream is on, naming option and methods",
      (named, gone) => {
        const check = () =>
          checkStoreCapabilities(without(...gone), { upstream: true, singleUse: false });
        expect(check).toThrow(TypeError);
        expect(check).toThrow(
          `option "sessions": this store cannot keep small records (${named}), which "upstream" needs`,
        );
      },
    );

    it("names consumeTokenId first when both are missing (the adapter's case)", () => {
      const check = () => checkStoreCapabilities(bareStore(), { upstream: true, singleUse: false });
      expect(check).toThrow(/\(consumeTokenId\)/);
    });

    it("are only needed by upstream: without it a store lacking them is accepted", () => {
      expect(
        checkStoreCapabilities(without("getRecord", "setRecord"), {
          upstream: false,
          singleUse: true,
        }),
      ).toMatchObject({ consumeTokenId: true, records: false });
    });

    it("one of the two is not the capability", () => {
      expect(checkStoreCapabilities(without("setRecord"), NOTHING).records).toBe(false);
      expect(checkStoreCapabilities(without("getRecord"), NOTHING).records).toBe(false);
    });
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
