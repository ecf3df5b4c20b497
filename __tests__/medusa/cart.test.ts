/**
 * The cart through the BFF in front of the real Medusa 2.21.2 (npm run test:medusa), with the
 * unmodified @medusajs/js-sdk and the path segment `current`: a guest cart, the sign-in that
 * makes it the customer's at the backend, sign-out (the cart unreachable from that browser),
 * a fresh browser that gets it back, and an order placed through the BFF with the seeded
 * region, shipping option and system payment provider.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { bff, env, KEY, MEDUSA } from "./support.js";

interface Cart {
  id: string;
  customer_id?: string | null;
  customer?: { id: string } | null;
  completed_at?: string | null;
  items: Array<{ variant_id: string; quantity: number }>;
}

/** The part of the SDK used here (its types live in the test backend's install). */
interface MedusaSdk {
  auth: {
    login(actor: string, method: string, payload: object): Promise<string | object>;
    logout(): Promise<void>;
  };
  store: {
    cart: {
      create(body: object): Promise<{ cart: Cart }>;
      retrieve(id: string): Promise<{ cart: Cart }>;
      update(id: string, body: object): Promise<{ cart: Cart }>;
      createLineItem(id: string, body: object): Promise<{ cart: Cart }>;
      addShippingMethod(id: string, body: object): Promise<{ cart: Cart }>;
      complete(id: string): Promise<{ type: string; order?: { id: string; items: unknown[] } }>;
    };
    fulfillment: {
      listCartOptions(query: { cart_id: string }): Promise<{
        shipping_options: Array<{ id: string }>;
      }>;
    };
    payment: {
      initiatePaymentSession(cart: object, body: object): Promise<unknown>;
    };
  };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { default: Medusa } = require(
  path.resolve("test-backends/medusa/node_modules/@medusajs/js-sdk"),
) as { default: new (config: object) => MedusaSdk };

const REGION = env("MEDUSA_REGION_ID");
const VARIANT = env("MEDUSA_VARIANT_ID");
const SHIPPING_OPTION = env("MEDUSA_SHIPPING_OPTION_ID");
const ADDRESS = {
  first_name: "Jane",
  last_name: "Doe",
  address_1: "Torstraße 1",
  city: "Berlin",
  postal_code: "10119",
  country_code: "de",
};

const realFetch = globalThis.fetch;

/** A browser: its own cookie jar, and the SDK calling through it. */
function browser(baseUrl: string) {
  const jar = new Map<string, string>();
  async function browserFetch(input: string | URL | Request, init?: RequestInit) {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await realFetch(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1);
      const expired = attributes.some((a) => /^\s*max-age=0/i.test(a));
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }
  const sdk = new Medusa({ baseUrl, auth: { type: "session" } });
  return {
    jar,
    /** Runs `use` with this browser's fetch as the one the SDK calls. */
    async as<T>(use: (sdk: MedusaSdk) => Promise<T>): Promise<T> {
      globalThis.fetch = browserFetch as typeof fetch;
      try {
        return await use(sdk);
      } finally {
        globalThis.fetch = realFetch;
      }
    },
    /** A plain call through the BFF, with this browser's cookies. */
    get: (route: string) => browserFetch(`${baseUrl}${route}`),
  };
}

/** A customer registered at Medusa directly, the Medusa way. */
async function registerCustomer(): Promise<{ email: string; password: string; id: string }> {
  const email = `cart.${randomUUID()}@bff.test`;
  const password = "a-password-of-the-customer-1";
  const post = async (route: string, body: object, token?: string) => {
    const res = await realFetch(`${MEDUSA}${route}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-publishable-api-key": KEY,
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${route} answered ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  const { token } = await post("/auth/customer/emailpass/register", { email, password });
  const { customer } = await post("/store/customers", { email }, String(token));
  return { email, password, id: (customer as { id: string }).id };
}

/** The cart as Medusa itself shows it to anyone with its id. */
async function atBackend(id: string): Promise<Cart> {
  const res = await realFetch(`${MEDUSA}/store/carts/${id}`, {
    headers: { "x-publishable-api-key": KEY },
  });
  return ((await res.json()) as { cart: Cart }).cart;
}

const t = bff();
let server: Server;
let base: string;

beforeAll(async () => {
  server = t.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await new Promise((resolve) => server.close(resolve));
});

it("guest cart → sign-in → the customer's → sign-out → unreachable → a fresh browser gets it back → an order", async () => {
  const customer = await registerCustomer();
  const credentials = { email: customer.email, password: customer.password };

  // A guest fills a cart; the page never needs its id.
  const laptop = browser(base);
  const created = await laptop.as((sdk) => sdk.store.cart.create({ region_id: REGION }));
  const id = created.cart.id;
  expect([...laptop.jar.keys()]).toEqual(["bff.sid.cart"]);
  await laptop.as((sdk) =>
    sdk.store.cart.createLineItem("current", { variant_id: VARIANT, quantity: 2 }),
  );
  const guest = await laptop.as((sdk) => sdk.store.cart.retrieve("current"));
  expect(guest.cart.id).toBe(id);
  expect(guest.cart.items).toEqual([expect.objectContaining({ variant_id: VARIANT, quantity: 2 })]);

  // Signing in makes it the customer's, at the backend, and it stays current.
  await laptop.as((sdk) => sdk.auth.login("customer", "emailpass", credentials));
  expect([...laptop.jar.keys()]).toEqual(["bff.sid"]);
  expect((await atBackend(id)).customer?.id).toBe(customer.id);
  const owned = await laptop.as((sdk) => sdk.store.cart.retrieve("current"));
  expect(owned.cart.id).toBe(id);
  expect(owned.cart.items).toHaveLength(1);
  expect(t.events.map((e) => e.type)).toContain("cart.transferred");

  // Signed out, this browser reaches it neither as `current` nor by its id.
  await laptop.as((sdk) => sdk.auth.logout());
  expect((await laptop.get("/store/carts/current")).status).toBe(404);
  expect((await laptop.get(`/store/carts/${id}`)).status).toBe(404);
  const stranger = browser(base);
  expect((await stranger.get(`/store/carts/${id}`)).status).toBe(404);

  // A fresh browser signs in: the cart is back.
  const phone = browser(base);
  await phone.as((sdk) => sdk.auth.login("customer", "emailpass", credentials));
  const back = await phone.as((sdk) => sdk.store.cart.retrieve("current"));
  expect(back.cart.id).toBe(id);
  expect(back.cart.items).toEqual([expect.objectContaining({ variant_id: VARIANT, quantity: 2 })]);
  expect(t.events.map((e) => e.type)).toContain("cart.restored");

  // Checkout through the BFF: address, the seeded shipping option, the system payment provider.
  const addressed = await phone.as((sdk) =>
    sdk.store.cart.update("current", { shipping_address: ADDRESS, billing_address: ADDRESS }),
  );
  const { shipping_options } = await phone.as((sdk) =>
    sdk.store.fulfillment.listCartOptions({ cart_id: addressed.cart.id }),
  );
  expect(shipping_options.map((o) => o.id)).toContain(SHIPPING_OPTION);
  const shipped = await phone.as((sdk) =>
    sdk.store.cart.addShippingMethod("current", { option_id: SHIPPING_OPTION }),
  );
  await phone.as((sdk) =>
    sdk.store.payment.initiatePaymentSession(shipped.cart, { provider_id: "pp_system_default" }),
  );
  const order = await phone.as((sdk) => sdk.store.cart.complete("current"));
  expect(order.type).toBe("order");
  expect(order.order!.items).toHaveLength(1);

  // An order forgets the cart, for this browser and the customer.
  expect((await phone.get("/store/carts/current")).status).toBe(404);
  const tablet = browser(base);
  await tablet.as((sdk) => sdk.auth.login("customer", "emailpass", credentials));
  expect((await tablet.get("/store/carts/current")).status).toBe(404);
});
