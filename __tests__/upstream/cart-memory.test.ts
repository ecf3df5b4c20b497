/**
 * Where signed-in browsers' carts are remembered: small records in the session store, one per
 * session (until the deadline it is given), one per customer and one per transferred guest cart
 * (30 days from the last write), the customer's and the cart's ids only as hashes. Store
 * failures come out as the guarded store's SessionStoreError.
 */
import { createHash } from "node:crypto";
import { SessionStoreError } from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import { GuardedStore } from "../../lib/session/guarded-store.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import type { SessionStore } from "../../lib/stores/session-store.js";
import { CartMemory } from "../../lib/upstream/cart-memory.js";
import { fullStore } from "../support/fake-stores.js";
import { createClock } from "../helpers.js";

const DAY = 24 * 3600_000;
const MONTH = 30 * DAY;
const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

function memoryOn(store?: SessionStore) {
  const clock = createClock();
  const kept = store ?? new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
  const events: SessionEvent[] = [];
  const guarded = new GuardedStore(kept, 1000, (e) => void events.push(e));
  const getRecord = jest.spyOn(kept as Required<SessionStore>, "getRecord");
  const setRecord = jest.spyOn(kept as Required<SessionStore>, "setRecord");
  return { memory: new CartMemory(guarded, clock.now), clock, events, getRecord, setRecord };
}

describe("a session's cart", () => {
  it("is remembered until the deadline given, and forgotten from then on", async () => {
    const { memory, clock, setRecord } = memoryOn();
    const until = clock.now() + 10 * 3600_000;
    await memory.setSession("sid_1", "cart_1", until);
    expect(setRecord).toHaveBeenCalledWith("cart:session:sid_1", "cart_1", until);
    clock.advance(10 * 3600_000 - 1);
    await expect(memory.ofSession("sid_1")).resolves.toBe("cart_1");
    clock.advance(1);
    await expect(memory.ofSession("sid_1")).resolves.toBeUndefined();
  });

  it("is each session's own, and the last write wins", async () => {
    const { memory, clock } = memoryOn();
    const until = clock.now() + DAY;
    await memory.setSession("sid_1", "cart_1", until);
    await memory.setSession("sid_2", "cart_2", until);
    await memory.setSession("sid_1", "cart_3", until);
    await expect(memory.ofSession("sid_1")).resolves.toBe("cart_3");
    await expect(memory.ofSession("sid_2")).resolves.toBe("cart_2");
    await expect(memory.ofSession("sid_3")).resolves.toBeUndefined();
  });

  it("is forgotten with null", async () => {
    const { memory, clock } = memoryOn();
    await memory.setSession("sid_1", "cart_1", clock.now() + DAY);
    await memory.setSession("sid_1", null, 0);
    await expect(memory.ofSession("sid_1")).resolves.toBeUndefined();
  });
});

describe("a customer's cart", () => {
  it("is remembered for 30 days from its last write, under a hash of the customer id", async () => {
    const { memory, clock, setRecord } = memoryOn();
    await memory.setCustomer("cus_1", "cart_1");
    expect(setRecord).toHaveBeenCalledWith(
      `cart:customer:${sha256("cus_1")}`,
      "cart_1",
      clock.now() + MONTH,
    );
    clock.advance(20 * DAY);
    await memory.setCustomer("cus_1", "cart_1");
    clock.advance(MONTH - 1);
    await expect(memory.ofCustomer("cus_1")).resolves.toBe("cart_1");
    clock.advance(1);
    await expect(memory.ofCustomer("cus_1")).resolves.toBeUndefined();
  });

  it("never puts the customer id in a key, however long it is", async () => {
    const { memory, setRecord, getRecord } = memoryOn();
    const long = `cus_${"x".repeat(400)}`;
    await memory.setCustomer(long, "cart_1");
    await expect(memory.ofCustomer(long)).resolves.toBe("cart_1");
    const keys = [...setRecord.mock.calls, ...getRecord.mock.calls].map(([key]) => key);
    expect(keys).toEqual([`cart:customer:${sha256(long)}`, `cart:customer:${sha256(long)}`]);
  });

  it("is each customer's own, apart from the sessions' records", async () => {
    const { memory, clock } = memoryOn();
    await memory.setCustomer("cus_1", "cart_1");
    await memory.setSession("cus_2", "cart_2", clock.now() + DAY);
    await expect(memory.ofCustomer("cus_1")).resolves.toBe("cart_1");
    await expect(memory.ofCustomer("cus_2")).resolves.toBeUndefined();
    await expect(memory.ofSession("cus_1")).resolves.toBeUndefined();
  });

  it("is forgotten with null", async () => {
    const { memory } = memoryOn();
    await memory.setCustomer("cus_1", "cart_1");
    await memory.setCustomer("cus_1", null);
    await expect(memory.ofCustomer("cus_1")).resolves.toBeUndefined();
  });
});

describe("forgetCustomerCart", () => {
  it("forgets the customer's cart when it is the one named", async () => {
    const { memory } = memoryOn();
    await memory.setCustomer("cus_1", "cart_1");
    await memory.forgetCustomerCart("cus_1", "cart_1");
    await expect(memory.ofCustomer("cus_1")).resolves.toBeUndefined();
  });

  it("keeps another cart the customer has since (a completed cart was not their latest)", async () => {
    const { memory, setRecord } = memoryOn();
    await memory.setCustomer("cus_1", "cart_2");
    setRecord.mockClear();
    await memory.forgetCustomerCart("cus_1", "cart_1");
    await expect(memory.ofCustomer("cus_1")).resolves.toBe("cart_2");
    expect(setRecord).not.toHaveBeenCalled();
  });

  it("writes nothing when no cart is remembered", async () => {
    const { memory, setRecord } = memoryOn();
    await memory.forgetCustomerCart("cus_1", "cart_1");
    expect(setRecord).not.toHaveBeenCalled();
  });
});

describe("a transferred guest cart", () => {
  it("is marked for 30 days, under a hash of the cart id", async () => {
    const { memory, clock, setRecord } = memoryOn();
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(false);
    await memory.markTransferred("cart_1");
    expect(setRecord).toHaveBeenCalledWith(
      `cart:transferred:${sha256("cart_1")}`,
      "1",
      clock.now() + MONTH,
    );
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(true);
    await expect(memory.wasTransferred("cart_2")).resolves.toBe(false);
    clock.advance(MONTH - 1);
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(true);
    clock.advance(1);
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(false);
  });

  it("is not a customer's cart, nor a session's", async () => {
    const { memory } = memoryOn();
    await memory.markTransferred("cart_1");
    await expect(memory.ofCustomer("cart_1")).resolves.toBeUndefined();
    await expect(memory.ofSession("cart_1")).resolves.toBeUndefined();
  });
});

describe("what the store answers", () => {
  it.each<[string, unknown]>([
    ["null", null],
    ["an empty string", ""],
    ["a number", 42],
    ["an object", { id: "cart_1" }],
  ])("reads %s as no cart, and as not transferred", async (_name, answer) => {
    const store = { ...fullStore(), getRecord: async () => answer as string | null };
    const { memory } = memoryOn(store);
    await expect(memory.ofSession("sid_1")).resolves.toBeUndefined();
    await expect(memory.ofCustomer("cus_1")).resolves.toBeUndefined();
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(false);
  });

  it("reads any other string as the cart id", async () => {
    const store = { ...fullStore(), getRecord: async () => "cart_1" };
    const { memory } = memoryOn(store);
    await expect(memory.ofSession("sid_1")).resolves.toBe("cart_1");
    await expect(memory.wasTransferred("cart_1")).resolves.toBe(true);
  });

  it.each<[string, string, (m: CartMemory) => Promise<unknown>]>([
    ["getRecord", "ofSession", (m) => m.ofSession("sid_1")],
    ["getRecord", "wasTransferred", (m) => m.wasTransferred("cart_1")],
    ["setRecord", "setCustomer", (m) => m.setCustomer("cus_1", "cart_1")],
    ["setRecord", "markTransferred", (m) => m.markTransferred("cart_1")],
  ])(
    "turns a failed %s (in %s) into SessionStoreError and a store.error event",
    async (operation, _method, run) => {
      const down = new Error("down");
      const store = {
        ...fullStore(),
        getRecord: () => Promise.reject(down),
        setRecord: () => Promise.reject(down),
      };
      const { memory, events } = memoryOn(store);
      const error = await run(memory).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).toMatchObject({ code: "BFF_STORE_FAILED", operation, cause: down });
      expect(events).toEqual([{ type: "store.error", operation, error: down }]);
    },
  );
});
