// A stand-in for the commerce backend's Store API, so `npm start` needs nothing else: the few
// routes the storefront uses (customer and its edits, registration, regions, products, carts, token refresh), answering
// as Medusa does. The BFF reaches it through `upstream` like a real backend; with MEDUSA_URL
// the example fronts a real Medusa instead and this is not mounted.
import { randomUUID } from "node:crypto";
import express, { type Request, type Response, type Router } from "express";
import type { DemoCustomer, DemoCustomers } from "./customers";
import type { Identity } from "./identity";

const REGION = { id: "reg_demo_eu", name: "Europe", currency_code: "eur" };
const PRODUCTS = [
  product("prod_demo_tee", "Organic T-Shirt", "variant_demo_tee_m", "M", 2500),
  product("prod_demo_mug", "Enamel Mug", "variant_demo_mug", "One size", 1400),
];

interface Cart {
  id: string;
  customer_id: string | null;
  region_id: string;
  currency_code: string;
  items: Array<{
    id: string;
    variant_id: string;
    title: string;
    quantity: number;
    unit_price: number;
  }>;
}

export function createBackend(identity: Identity, customers: DemoCustomers): Router {
  const carts = new Map<string, Cart>();
  const router = express.Router();
  router.use(express.json({ limit: "16kb" }));

  /** The bearer's customer id; a 401 (and undefined) for a bad token. */
  async function customerOf(req: Request, res: Response): Promise<string | null | undefined> {
    const header = req.headers.authorization;
    if (header === undefined) return null;
    const id = await identity.verify(header.replace(/^Bearer /, ""));
    if (id === undefined) res.status(401).type("text/plain").send("Unauthorized");
    return id;
  }

  router.get("/store/customers/me", async (req, res) => {
    const customer = await signedInCustomer(req, res);
    if (customer !== undefined) res.json({ customer: withoutSecrets(customer) });
  });
  // Editing the signed-in customer, as Medusa's Store API does: name, and addresses. Each edit
  // replaces the customer's record (customers.add), so the seeded objects stay as they were.
  router.post("/store/customers/me", async (req, res) => {
    const customer = await signedInCustomer(req, res);
    if (customer === undefined) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = { ...customer, updated_at: new Date().toISOString() };
    for (const key of ["first_name", "last_name", "phone", "company_name"] as const)
      if (typeof body[key] === "string") next[key] = (body[key] as string).slice(0, 100);
    customers.add(next);
    res.json({ customer: withoutSecrets(next) });
  });
  router.post("/store/customers/me/addresses", async (req, res) => {
    const customer = await signedInCustomer(req, res);
    if (customer === undefined) return;
    const address = {
      ...addressFields(req.body),
      id: `caddr_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
      customer_id: customer.id,
    };
    const next = { ...customer, addresses: [...(customer.addresses ?? []), address] };
    customers.add(next);
    res.json({ customer: withoutSecrets(next) });
  });
  router.post("/store/customers/me/addresses/:id", async (req, res) => {
    const customer = await signedInCustomer(req, res);
    if (customer === undefined) return;
    const id = String(req.params.id);
    const addresses = customer.addresses ?? [];
    if (!addresses.some((a) => a.id === id))
      return void res.status(404).json({ type: "not_found", message: "Address not found" });
    const next = {
      ...customer,
      addresses: addresses.map((a) => (a.id === id ? { ...a, ...addressFields(req.body) } : a)),
    };
    customers.add(next);
    res.json({ customer: withoutSecrets(next) });
  });

  /** The bearer's own customer record; a 401 or 404 (and undefined) otherwise. */
  async function signedInCustomer(req: Request, res: Response): Promise<DemoCustomer | undefined> {
    const id = await customerOf(req, res);
    if (id === undefined) return undefined;
    if (id === null) return void res.status(401).type("text/plain").send("Unauthorized");
    const customer = (await customers.retrieve(id, {
      req,
      claims: undefined,
      token: undefined,
    })) as DemoCustomer | null | undefined;
    if (customer === null || customer === undefined) {
      res.status(404).json({ type: "not_found", message: "Customer not found" });
      return undefined;
    }
    return customer;
  }
  // Registration, the Medusa way: the registration token (empty actor_id) creates the customer.
  router.post("/store/customers", async (req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
    const identityOf = await identity.registration(token);
    if (identityOf === undefined)
      return void res.status(401).type("text/plain").send("Unauthorized");
    if (customers.byEmail(identityOf.email) !== undefined)
      return void res.status(400).json({ type: "invalid_data", message: "Customer exists" });
    const body = (req.body ?? {}) as { first_name?: unknown; last_name?: unknown };
    const now = new Date().toISOString();
    const customer = {
      id: `cus_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
      email: identityOf.email,
      first_name: typeof body.first_name === "string" ? body.first_name.slice(0, 100) : null,
      last_name: typeof body.last_name === "string" ? body.last_name.slice(0, 100) : null,
      company_name: null,
      phone: null,
      default_billing_address_id: null,
      default_shipping_address_id: null,
      metadata: null,
      addresses: [],
      created_at: now,
      updated_at: now,
      deleted_at: null,
      password_hash: identityOf.password_hash,
    };
    customers.add(customer);
    res.json({ customer: withoutSecrets(customer) });
  });
  router.post("/auth/token/refresh", async (req, res) => {
    const id = await customerOf(req, res);
    if (id === undefined) return;
    if (id === null) return void res.status(401).type("text/plain").send("Unauthorized");
    res.json({ token: await identity.issue(id) });
  });
  router.get("/store/regions", (_req, res) => void res.json({ regions: [REGION] }));
  router.get(
    "/store/products",
    (_req, res) => void res.json({ products: PRODUCTS, count: PRODUCTS.length }),
  );

  router.post("/store/carts", async (req, res) => {
    const id = await customerOf(req, res);
    if (id === undefined) return;
    const cart: Cart = {
      id: `cart_${randomUUID()}`,
      customer_id: id,
      region_id: REGION.id,
      currency_code: REGION.currency_code,
      items: [],
    };
    carts.set(cart.id, cart);
    res.json({ cart });
  });
  router.get("/store/carts/:id", async (req, res) => {
    const cart = await ownCart(req, res);
    if (cart !== undefined) res.json({ cart });
  });
  router.post("/store/carts/:id/line-items", async (req, res) => {
    const cart = await ownCart(req, res);
    if (cart === undefined) return;
    const { variant_id, quantity } = (req.body ?? {}) as {
      variant_id?: unknown;
      quantity?: unknown;
    };
    const variant = PRODUCTS.flatMap((p) => p.variants.map((v) => ({ ...v, product: p }))).find(
      (v) => v.id === variant_id,
    );
    if (variant === undefined || !Number.isInteger(quantity) || (quantity as number) < 1)
      return void res
        .status(400)
        .json({ type: "invalid_data", message: "Unknown variant or quantity" });
    const existing = cart.items.find((i) => i.variant_id === variant.id);
    if (existing) existing.quantity += quantity as number;
    else
      cart.items.push({
        id: `item_${randomUUID()}`,
        variant_id: variant.id,
        title: variant.product.title,
        quantity: quantity as number,
        unit_price: variant.calculated_price.calculated_amount,
      });
    res.json({ cart });
  });

  // At sign-in the BFF hands the guest's cart to the customer (as Medusa's route does).
  router.post("/store/carts/:id/customer", async (req, res) => {
    const id = await customerOf(req, res);
    if (id === undefined) return;
    if (id === null) return void res.status(401).type("text/plain").send("Unauthorized");
    const cart = carts.get(String(req.params.id));
    if (cart === undefined)
      return void res.status(404).json({ type: "not_found", message: "Cart not found" });
    cart.customer_id = id;
    res.json({ cart });
  });

  /** A cart the bearer may see: a guest's cart, or the customer's own. */
  async function ownCart(req: Request, res: Response): Promise<Cart | undefined> {
    const id = await customerOf(req, res);
    if (id === undefined) return undefined;
    const cart = carts.get(String(req.params.id));
    if (cart === undefined || (cart.customer_id !== null && cart.customer_id !== id)) {
      res.status(404).json({ type: "not_found", message: "Cart not found" });
      return undefined;
    }
    return cart;
  }
  return router;
}

function product(id: string, title: string, variantId: string, size: string, amount: number) {
  return {
    id,
    title,
    variants: [
      {
        id: variantId,
        title: size,
        calculated_price: { calculated_amount: amount / 100, currency_code: "eur" },
      },
    ],
  };
}

const ADDRESS_FIELDS = [
  "address_name",
  "first_name",
  "last_name",
  "company",
  "address_1",
  "address_2",
  "city",
  "postal_code",
  "province",
  "country_code",
  "phone",
] as const;

/** The address fields of a request body that are strings (at most 200 characters each). */
function addressFields(body: unknown): Partial<Record<(typeof ADDRESS_FIELDS)[number], string>> {
  const fields: Partial<Record<(typeof ADDRESS_FIELDS)[number], string>> = {};
  const given = (body ?? {}) as Record<string, unknown>;
  for (const key of ADDRESS_FIELDS)
    if (typeof given[key] === "string") fields[key] = (given[key] as string).slice(0, 200);
  return fields;
}

/** What the Store API shows of a customer: never the row's password hash (Medusa keeps it elsewhere). */
function withoutSecrets<T extends object>(customer: T): Omit<T, "password_hash"> {
  const visible = { ...customer } as T & { password_hash?: unknown };
  delete visible.password_hash;
  return visible;
}
