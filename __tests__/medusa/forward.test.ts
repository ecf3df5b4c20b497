/**
 * bff-session in front of a real Medusa 2.21.2 backend (npm run test:medusa): a customer
 * registered the Medusa way signs in through POST /auth/session, reads themselves, makes a cart
 * and adds a line item through storeApi(); the kept token is refreshed with a short
 * jwtExpiresIn. (A stopped backend: stopped-backend.test.ts, which runs last.)
 */
import { randomUUID } from "node:crypto";
import express from "express";
import request from "supertest";
import { bff, env, KEY, MEDUSA } from "./support.js";

async function medusa(
  method: string,
  route: string,
  options: { token?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-publishable-api-key": KEY,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${MEDUSA}${route}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; [field: string]: unknown };
  return { status: res.status, body };
}

/** A customer registered as Medusa's storefront does it; resolves a fresh login token. */
async function registerCustomer(): Promise<{ email: string; password: string; token: string }> {
  const email = `jane.${randomUUID()}@bff.test`;
  const password = "a-password-of-the-customer-1";
  const registered = await medusa("POST", "/auth/customer/emailpass/register", {
    body: { email, password },
  });
  expect(registered.status).toBe(200);
  const created = await medusa("POST", "/store/customers", {
    token: registered.body.token!,
    body: { email, first_name: "Jane", last_name: "Doe" },
  });
  expect(created.status).toBe(200);
  const login = await medusa("POST", "/auth/customer/emailpass", { body: { email, password } });
  expect(login.status).toBe(200);
  return { email, password, token: login.body.token! };
}

const t = bff();
let customer: Awaited<ReturnType<typeof registerCustomer>>;
let cookie: string;

it("signs in with a real Medusa token and reads the customer through storeApi()", async () => {
  customer = await registerCustomer();
  const login = await request(t.app)
    .post("/auth/session")
    .set("Authorization", `Bearer ${customer.token}`);
  expect(login.status).toBe(200);
  expect(login.body.user.email).toBe(customer.email);
  cookie = String(login.headers["set-cookie"]).split(";")[0]!;
  const me = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
  expect(me.status).toBe(200);
  expect(me.body.customer.email).toBe(customer.email);
  expect(me.headers["cache-control"]).toBe("private, no-store");
  expect(me.headers["set-cookie"]).toBeUndefined(); // no connect.sid from the backend
  expect(JSON.stringify(me.headers)).not.toContain("eyJ"); // no token in any header
});

it("a guest lists products; a path out of /store/ is refused before Medusa sees it", async () => {
  const products = await request(t.app).get("/store/products?fields=id,title");
  expect(products.status).toBe(200);
  expect(products.body.products.map((p: { title: string }) => p.title)).toContain("BFF Test Shirt");
  const escape = await request(t.app).get("/store/%2e%2e/admin/users");
  expect(escape.status).toBe(400);
});

it("makes a cart and adds a line item as the customer, with and without express.json() first", async () => {
  const cart = await request(t.app)
    .post("/store/carts")
    .set("Cookie", cookie)
    .send({ region_id: env("MEDUSA_REGION_ID") });
  expect(cart.status).toBe(200);
  expect(cart.body.cart.customer_id).toBe(
    (await request(t.app).get("/auth/session").set("Cookie", cookie)).body.user.id,
  );
  const parsed = express().use(express.json()).use(t.app);
  const item = await request(parsed)
    .post(`/store/carts/${cart.body.cart.id}/line-items`)
    .set("Cookie", cookie)
    .send({ variant_id: env("MEDUSA_VARIANT_ID"), quantity: 2 });
  expect(item.status).toBe(200);
  expect(item.body.cart.items[0].quantity).toBe(2);
});

it("refreshes the kept token before it expires (jwtExpiresIn 20 s), and keeps working after the first token's exp", async () => {
  // Refresh is due with less than a quarter (5 s) of the token's 20 s left.
  await new Promise((resolve) => setTimeout(resolve, 15_500));
  const me = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
  expect(me.status).toBe(200);
  expect(t.events.filter((e) => e.type === "token.refreshed")).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 5_000)); // the first token is expired now
  const later = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
  expect(later.status).toBe(200);
  expect(later.body.customer.email).toBe(customer.email);
});
