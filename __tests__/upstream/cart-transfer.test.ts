/**
 * transferGuestCart and isRestorable against a Medusa-shaped stand-in backend: what they read
 * from a cart, the one call that moves it, and every way the backend can say no. Each failure
 * is an outcome whose reason `cart.transfer_failed` reports, never a throw: the sign-in goes on.
 */
import type express from "express";
import { UpstreamError } from "../../lib/errors/errors.js";
import { resolveUpstream } from "../../lib/options/resolve-upstream.js";
import type { UpstreamOptions } from "../../lib/options/upstream-types.js";
import {
  cartOf,
  isRestorable,
  parseJson,
  transferGuestCart,
  type CartOwner,
} from "../../lib/upstream/cart-transfer.js";
import { UpstreamClient } from "../../lib/upstream/client.js";
import { createClock, signToken } from "../helpers.js";
import { stubBackend } from "./stub-backend.js";
import { stubCarts, type StubCart } from "./stub-carts.js";

const carts = stubCarts();
/** Answers ahead of the stub's cart routes, when a test sets it. */
let answer: express.RequestHandler | undefined;
const backend = stubBackend({
  routes: (app) => {
    app.use((req, res, next) => (answer === undefined ? next() : answer(req, res, next)));
    carts.routes(app);
  },
});

let owner: CartOwner;
beforeAll(async () => {
  await backend.start();
  owner = {
    customerId: "cus_123",
    token: await signToken(createClock()),
    publishableKey: "pk_bff",
  };
});
afterAll(() => backend.stop());

let clients: UpstreamClient[] = [];
beforeEach(() => {
  backend.reset();
  carts.reset();
  answer = undefined;
});
afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
});

function client(options: Partial<UpstreamOptions> = {}): UpstreamClient {
  const made = new UpstreamClient(resolveUpstream({ baseUrl: backend.url, ...options })!);
  clients.push(made);
  return made;
}

const ITEM = { id: "cali_1", variant_id: "variant_1", quantity: 1 };

/** A cart at the backend: a guest's with one item unless `fields` say otherwise. */
function cart(fields: Partial<StubCart> = {}): string {
  const id = `cart_${String(carts.carts.size + 1).padStart(4, "0")}`;
  carts.carts.set(id, {
    id,
    customer_id: null,
    customer: null,
    email: null,
    completed_at: null,
    items: [ITEM],
    ...fields,
  });
  return id;
}

/** What reached the backend for the cart `id`, as "METHOD /path". */
const calls = (id: string) =>
  backend.seen
    .filter((s) => s.url.startsWith(`/store/carts/${id}`))
    .map((s) => `${s.method} ${s.url}`);

/** Answers `method` requests under /store/carts with `status` and `body`; others pass on. */
function backendAnswers(method: string, status: number, body: unknown): void {
  answer = (req, res, next) => {
    if (req.method !== method || !req.url.startsWith("/store/carts/")) return next();
    if (typeof body === "string") return void res.status(status).type("text/html").send(body);
    res.status(status).json(body);
  };
}

/** The client, but a `method` call fails as one the backend does not answer within `timeout`. */
function timingOut(method: string): UpstreamClient {
  const real = client();
  const read: UpstreamClient["read"] = (request) =>
    request.method === method
      ? Promise.reject(new UpstreamError("BFF_UPSTREAM_TIMEOUT", "headers timeout"))
      : real.read(request);
  return { options: real.options, read } as UpstreamClient;
}

const transfer = (id: string, yieldIfEmpty = false, via = client()) =>
  transferGuestCart(via, id, owner, { yieldIfEmpty });

describe("transferGuestCart", () => {
  it("moves a guest cart with items to the customer: POST …/customer with the customer's token", async () => {
    const id = cart();
    expect(await transfer(id, true)).toEqual({ kind: "transferred" });
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
    expect(calls(id)).toEqual([`GET /store/carts/${id}`, `POST /store/carts/${id}/customer`]);
    const moved = backend.last();
    expect(moved.headers).toMatchObject({
      authorization: `Bearer ${owner.token}`,
      "x-publishable-api-key": "pk_bff",
      "content-type": "application/json",
      "accept-encoding": "identity",
    });
    expect(moved.bodyLength).toBe(2);
    expect(backend.seen[0]!.headers["x-publishable-api-key"]).toBe("pk_bff");
  });

  it("an empty guest cart gives way to the customer's remembered cart: nothing is moved", async () => {
    const id = cart({ items: [] });
    expect(await transfer(id, true)).toEqual({ kind: "empty" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
    expect(carts.carts.get(id)!.customer_id).toBeNull();
  });

  it("an empty guest cart is moved all the same when the customer has no cart to come back", async () => {
    const id = cart({ items: [] });
    expect(await transfer(id, false)).toEqual({ kind: "transferred" });
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
  });

  it("a cart that is an order already is never moved (completed)", async () => {
    const id = cart({ completed_at: "2026-01-01T00:00:00.000Z" });
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "completed" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
    expect(carts.carts.get(id)!.customer_id).toBeNull();
  });

  it("another customer's cart is never moved, though the backend would hand it over (another_customer)", async () => {
    const id = cart({ customer_id: "cus_other" });
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "another_customer" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
    expect(carts.carts.get(id)!.customer_id).toBe("cus_other");
  });

  it("another customer's cart named only by its `customer` object is never moved either", async () => {
    const id = cart();
    backendAnswers("GET", 200, {
      cart: { id, customer: { id: "cus_other" }, completed_at: null, items: [ITEM] },
    });
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "another_customer" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
  });

  it("a cart that is the customer's already (a second sign-in in this browser) needs no call", async () => {
    const id = cart({ customer_id: "cus_123" });
    expect(await transfer(id)).toEqual({ kind: "transferred" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
  });

  it("an empty customer_id names no owner: the cart is moved", async () => {
    const id = cart({ customer_id: "" });
    expect(await transfer(id)).toEqual({ kind: "transferred" });
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
  });

  it("a cart the backend does not have is not_found, and nothing is posted", async () => {
    expect(await transfer("cart_gone")).toEqual({ kind: "failed", reason: "not_found" });
    expect(calls("cart_gone")).toEqual(["GET /store/carts/cart_gone"]);
  });

  it.each([401, 403, 500, 503])(
    "a read answered %i is refused with that status, and nothing is posted",
    async (status) => {
      const id = cart();
      backendAnswers("GET", status, { type: "unknown_error" });
      expect(await transfer(id)).toEqual({ kind: "failed", reason: "refused", status });
      expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
      expect(carts.carts.get(id)!.customer_id).toBeNull();
    },
  );

  it.each<[string, unknown]>([
    ["a page from a proxy", "<html>Bad gateway</html>"],
    ["`{ cart: null }`", { cart: null }],
    ["a cart that is no object", { cart: "cart_0001" }],
  ])("a 200 read that is not a cart (%s) is refused, and nothing is posted", async (_, body) => {
    const id = cart();
    backendAnswers("GET", 200, body);
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "refused", status: 200 });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
  });

  it("a transfer the backend fails (500) is refused with its status", async () => {
    const id = cart();
    carts.state.transfer = "500";
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "refused", status: 500 });
    expect(carts.carts.get(id)!.customer_id).toBeNull();
  });

  it("a transfer answered 401 (the backend refuses the customer's token) is refused with its status", async () => {
    const id = cart();
    backendAnswers("POST", 401, { type: "unauthorized" });
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "refused", status: 401 });
  });

  it("a cart gone between the read and the transfer is not_found", async () => {
    const id = cart();
    answer = (req, _res, next) => {
      if (req.method === "POST") carts.carts.delete(id);
      next();
    };
    expect(await transfer(id)).toEqual({ kind: "failed", reason: "not_found" });
    expect(calls(id)).toEqual([`GET /store/carts/${id}`, `POST /store/carts/${id}/customer`]);
  });

  it.each<[string, () => UpstreamClient]>([
    ["cannot be reached", () => client({ baseUrl: "http://127.0.0.1:9" })],
    ["does not answer the read in time", () => timingOut("GET")],
    ["does not answer the transfer in time", () => timingOut("POST")],
    [
      "answers more than it may (bufferSize)",
      () => (
        backendAnswers("GET", 200, { cart: { items: [], padding: "x".repeat(4096) } }),
        client({ bufferSize: 1024 })
      ),
    ],
  ])("a backend that %s: unavailable, never a throw", async (_, make) => {
    const id = cart();
    const via = make();
    await expect(transfer(id, false, via)).resolves.toEqual({
      kind: "failed",
      reason: "unavailable",
    });
  });
});

describe("isRestorable", () => {
  it("true for the customer's own cart that is not an order, read with the customer's token", async () => {
    const id = cart({ customer_id: "cus_123" });
    expect(await isRestorable(client(), id, owner)).toBe(true);
    expect(calls(id)).toEqual([`GET /store/carts/${id}`]);
    expect(backend.last().headers).toMatchObject({
      authorization: `Bearer ${owner.token}`,
      "x-publishable-api-key": "pk_bff",
    });
  });

  it.each<[string, Partial<StubCart> | undefined]>([
    ["is gone from the backend", undefined],
    ["is an order already", { customer_id: "cus_123", completed_at: "2026-01-01T00:00:00.000Z" }],
    ["is another customer's", { customer_id: "cus_other" }],
    ["is a guest's", { customer_id: null }],
  ])("false when the cart %s", async (_, fields) => {
    const id = fields === undefined ? "cart_gone" : cart(fields);
    expect(await isRestorable(client(), id, owner)).toBe(false);
  });

  it.each<[string, () => UpstreamClient]>([
    ["answers 500", () => (backendAnswers("GET", 500, { type: "unknown_error" }), client())],
    ["answers a page that is not a cart", () => (backendAnswers("GET", 200, "<html/>"), client())],
    ["cannot be reached", () => client({ baseUrl: "http://127.0.0.1:9" })],
  ])("undefined (cannot say) when the backend %s", async (_, make) => {
    const id = cart({ customer_id: "cus_123" });
    const via = make();
    await expect(isRestorable(via, id, owner)).resolves.toBeUndefined();
  });
});

describe("cartOf and parseJson", () => {
  const body = (text: string) => Buffer.from(text);

  it("cartOf(): the `cart` object of a Store API answer, else undefined", () => {
    expect(cartOf(body('{"cart":{"id":"cart_1"}}'))).toEqual({ id: "cart_1" });
    for (const text of ['{"cart":null}', '{"cart":"cart_1"}', '{"id":"cart_1"}', "null", "<html>"])
      expect([text, cartOf(body(text))]).toEqual([text, undefined]);
  });

  it("parseJson(): the JSON of a body, undefined for one that is not JSON", () => {
    expect(parseJson(body('{"type":"order"}'))).toEqual({ type: "order" });
    expect(parseJson(body("<html>"))).toBeUndefined();
    expect(parseJson(body(""))).toBeUndefined();
  });
});
