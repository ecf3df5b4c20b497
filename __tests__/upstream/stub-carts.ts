import type express from "express";
import { decodeJwt } from "jose";

export interface StubCart {
  id: string;
  customer_id: string | null;
  customer: { id: string } | null;
  email: string | null;
  completed_at: string | null;
  items: Array<{ id: string; variant_id: string; quantity: number }>;
}

/**
 * Medusa 2.21.2's cart routes as the BFF uses them, for the stub backend: like Medusa, any
 * caller with a cart id reads and changes the cart, and `POST …/customer` hands it to the
 * bearer's customer whoever owned it.
 */
export function stubCarts() {
  const carts = new Map<string, StubCart>();
  const state = {
    /** How `POST /store/carts/:id/customer` answers. */
    transfer: "ok" as "ok" | "500",
    /** Milliseconds each `POST /store/carts` waits before answering, in order. */
    createDelays: [] as number[],
    /** A `Cache-Control` for cart answers, as a misconfigured backend or CDN rule might send. */
    cacheControl: undefined as string | undefined,
  };
  let next = 0;
  const customerOf = (req: express.Request): string | null => {
    const bearer = req.headers.authorization?.replace(/^Bearer /, "");
    if (bearer === undefined) return null;
    const id = decodeJwt(bearer).actor_id;
    return typeof id === "string" && id !== "" ? id : null;
  };
  const body = (req: express.Request): Record<string, unknown> => {
    try {
      return JSON.parse((req as { raw?: Buffer }).raw?.toString() || "{}");
    } catch {
      return {};
    }
  };
  const withCustomer = (cart: StubCart) => ({
    ...cart,
    customer: cart.customer_id === null ? null : { id: cart.customer_id },
  });
  function routes(app: express.Express): void {
    app.post("/store/carts", async (req, res) => {
      const delay = state.createDelays.shift() ?? 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const cart: StubCart = {
        id: `cart_${String(++next).padStart(4, "0")}`,
        customer_id: customerOf(req),
        customer: null,
        email: null,
        completed_at: null,
        items: [],
      };
      carts.set(cart.id, cart);
      res.json({ cart: withCustomer(cart) });
    });
    const found = (req: express.Request, res: express.Response): StubCart | undefined => {
      const cart = carts.get(String(req.params.id));
      if (cart === undefined)
        res.status(404).json({ type: "not_found", message: `Cart id not found: ${req.params.id}` });
      return cart;
    };
    app.get("/store/carts/:id", (req, res) => {
      const cart = found(req, res);
      if (state.cacheControl !== undefined) res.setHeader("Cache-Control", state.cacheControl);
      if (cart !== undefined) res.json({ cart: withCustomer(cart) });
    });
    app.post("/store/carts/:id", (req, res) => {
      const cart = found(req, res);
      if (cart === undefined) return;
      const { email } = body(req) as { email?: string };
      if (typeof email === "string") cart.email = email;
      res.json({ cart: withCustomer(cart) });
    });
    app.post("/store/carts/:id/line-items", (req, res) => {
      const cart = found(req, res);
      if (cart === undefined) return;
      const { variant_id, quantity } = body(req) as { variant_id: string; quantity: number };
      cart.items.push({ id: `cali_${cart.items.length + 1}`, variant_id, quantity });
      res.json({ cart: withCustomer(cart) });
    });
    app.post("/store/carts/:id/customer", (req, res) => {
      const customer = customerOf(req);
      if (customer === null) return void res.status(401).send("Unauthorized");
      if (state.transfer === "500") return void res.status(500).json({ type: "unknown_error" });
      const cart = found(req, res);
      if (cart === undefined) return;
      cart.customer_id = customer;
      res.json({ cart: withCustomer(cart) });
    });
    app.post("/store/carts/:id/complete", (req, res) => {
      const cart = found(req, res);
      if (cart === undefined) return;
      cart.completed_at = new Date().toISOString();
      res.json({ type: "order", order: { id: `order_${cart.id}`, items: cart.items } });
    });
  }
  return {
    carts,
    state,
    routes,
    reset() {
      carts.clear();
      next = 0;
      state.transfer = "ok";
      state.createDelays.length = 0;
      state.cacheControl = undefined;
    },
  };
}
