import express, { type Express } from "express";
import request from "supertest";
import { SignJWT, type JWTPayload } from "jose";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type CustomerStore,
  type SessionEvent,
  type SessionLimits,
  type SessionRecord,
  type SessionRouter,
  type SessionRouterOptions,
  type SessionStore,
  type StoreCustomerInput,
} from "../lib/index.js";

export const SECRET = "test-secret-that-is-at-least-32-bytes-long!";
export const START = Date.UTC(2026, 10, 28, 12, 0, 0);

/** A controllable clock in ms. */
export function createClock(start = START) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    seconds: () => Math.floor(now / 1000),
  };
}
export type Clock = ReturnType<typeof createClock>;

export const CUSTOMER: StoreCustomerInput = {
  id: "cus_123",
  email: "jane@example.com",
  first_name: "Jane",
  last_name: "Doe",
  company_name: null,
  phone: null,
  default_billing_address_id: null,
  default_shipping_address_id: "addr_1",
  metadata: null,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
  deleted_at: null,
  addresses: [
    {
      id: "addr_1",
      customer_id: "cus_123",
      address_1: "1 Main St",
      city: "Berlin",
      country_code: "de",
      is_default_shipping: true,
      is_default_billing: false,
    },
  ],
  password_hash: "$argon2id$secret",
};

/** Signs a customer token the way the xclade/Medusa auth routes do, at the given clock. */
export async function signToken(
  clock: Clock,
  claims: JWTPayload = {},
  options: {
    secret?: string;
    alg?: string;
    expiresIn?: number;
    header?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const iat = clock.seconds();
  const payload: JWTPayload = {
    actor_id: "cus_123",
    actor_type: "customer",
    auth_identity_id: "authid_1",
    app_metadata: { customer_id: "cus_123" },
    iat,
    exp: iat + (options.expiresIn ?? 3600),
    ...claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT", ...options.header })
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** A session store that records every call, to check what the store is given. */
export class RecordingStore implements SessionStore {
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  constructor(readonly inner: MemorySessionStore) {}
  private log(method: string, args: unknown[]) {
    this.calls.push({ method, args });
  }
  count(method: string) {
    return this.calls.filter((c) => c.method === method).length;
  }
  get(id: string) {
    this.log("get", [id]);
    return this.inner.get(id);
  }
  set(id: string, record: SessionRecord, limits?: SessionLimits) {
    this.log("set", [id, record]);
    return this.inner.set(id, record, limits);
  }
  touch(id: string, record: SessionRecord) {
    this.log("touch", [id, record]);
    return this.inner.touch(id, record);
  }
  destroy(id: string) {
    this.log("destroy", [id]);
    return this.inner.destroy(id);
  }
  listByCustomer(customerId: string) {
    this.log("listByCustomer", [customerId]);
    return this.inner.listByCustomer(customerId);
  }
  consumeTokenId(tokenId: string, until: number) {
    this.log("consumeTokenId", [tokenId, until]);
    return this.inner.consumeTokenId(tokenId, until);
  }
}

export interface TestApp {
  app: Express;
  router: SessionRouter;
  clock: Clock;
  store: RecordingStore;
  events: SessionEvent[];
  customers: Map<string, StoreCustomerInput>;
  retrieve: jest.Mock;
}

/** An Express app with the router mounted, a protected route and the error handler. */
export function buildApp(
  overrides: Partial<SessionRouterOptions> = {},
  clock = createClock(),
): TestApp {
  const customers = new Map<string, StoreCustomerInput>([[CUSTOMER.id, CUSTOMER]]);
  const retrieve = jest.fn(async (id: string) => customers.get(id) ?? null);
  const store = new RecordingStore(new MemorySessionStore({ now: clock.now, sweepInterval: 0 }));
  const events: SessionEvent[] = [];
  const customerStore: CustomerStore = { retrieve };
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    customers: customerStore,
    sessions: store,
    now: clock.now,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  const app = express();
  app.use(router);
  app.get("/store/customers/me", router.authenticate(), (req, res) => {
    res.json({ customer_id: req.auth!.customerId, session_id: req.auth!.sessionId });
  });
  app.post("/store/carts", router.authenticate(), (req, res) => {
    res.json({ ok: true, customer_id: req.auth!.customerId });
  });
  app.get("/store/products", router.authenticate({ optional: true }), (req, res) => {
    res.json({ customer_id: req.auth?.customerId ?? null });
  });
  app.use(errorHandler());
  return { app, router, clock, store, events, customers, retrieve };
}

/** The `name=value` pair of the Set-Cookie header named `name`, or undefined. */
export function setCookie(headers: Record<string, unknown>, name = "bff.sid"): string | undefined {
  const raw = headers["set-cookie"];
  const list = Array.isArray(raw) ? (raw as string[]) : raw === undefined ? [] : [String(raw)];
  return list.find((c) => c.startsWith(`${name}=`));
}

/** The cookie pair (`name=value`) to send back, from a Set-Cookie header. */
export function cookiePair(setCookieHeader: string | undefined): string {
  if (setCookieHeader === undefined) throw new Error("no Set-Cookie");
  return setCookieHeader.split(";")[0]!;
}

/** Logs in through POST /auth/session and returns the session cookie pair to send back. */
export async function signIn(
  t: TestApp,
  userAgent = "jest",
  customerId = "cus_123",
): Promise<string> {
  const token = await signToken(t.clock, { actor_id: customerId });
  const res = await request(t.app)
    .post("/auth/session")
    .set("User-Agent", userAgent)
    .set("Authorization", `Bearer ${token}`);
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
  return cookiePair(String(res.headers["set-cookie"]));
}
