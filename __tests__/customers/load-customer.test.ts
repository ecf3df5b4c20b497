import type { CustomerStore } from "../../lib/customers/customer-store.js";
import { customerLoader } from "../../lib/customers/load-customer.js";
import { StoreApiError } from "../../lib/errors/store-api-error.js";
import type { SessionEvent } from "../../lib/events.js";
import { CUSTOMER } from "../helpers.js";

function loader(retrieve: CustomerStore["retrieve"]) {
  const events: SessionEvent[] = [];
  const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const load = customerLoader({ retrieve }, (e) => void events.push(e), logger);
  return { load, events, logger };
}
const lookup = { req: {} as never, claims: undefined, token: undefined };

it("parses the store's customer into the documented shape, dropping other fields", async () => {
  const { load } = loader(async () => CUSTOMER);
  const user = await load("cus_123", lookup);
  expect(user).toMatchObject({ id: "cus_123", email: "jane@example.com" });
  expect(user).not.toHaveProperty("password_hash");
});

it("calls retrieve as a method, with the id and the lookup", async () => {
  class Store implements CustomerStore {
    seen: unknown[] = [];
    async retrieve(id: string, context: unknown) {
      this.seen.push(id, context);
      return CUSTOMER;
    }
  }
  const store = new Store();
  await customerLoader(store, () => {}, { debug() {}, warn() {}, error() {} })("cus_123", lookup);
  expect(store.seen).toEqual(["cus_123", lookup]);
});

it("undefined for null or undefined", async () => {
  expect(await loader(async () => null).load("x", lookup)).toBeUndefined();
  expect(await loader(async () => undefined).load("x", lookup)).toBeUndefined();
});

it("an invalid customer is an unexpected_state StoreApiError, logged with the paths only", async () => {
  const { load, logger } = loader(async () => ({ id: "cus_1", email: 42 }) as never);
  const error = await load("cus_1", lookup).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StoreApiError);
  expect(error).toMatchObject({ type: "unexpected_state" });
  expect(logger.error).toHaveBeenCalledWith({ issues: ["email"] }, expect.any(String));
});

it("a server-side failure is rethrown and reported as customer.error; a 4xx choice is not reported", async () => {
  const down = new Error("backend down");
  const failing = loader(async () => {
    throw down;
  });
  await expect(failing.load("x", lookup)).rejects.toBe(down);
  expect(failing.events).toEqual([{ type: "customer.error", error: down }]);
  const refused = new StoreApiError("not_allowed", "Blocked.");
  const choosing = loader(async () => {
    throw refused;
  });
  await expect(choosing.load("x", lookup)).rejects.toBe(refused);
  expect(choosing.events).toEqual([]);
});
