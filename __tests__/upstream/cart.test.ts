/**
 * The cart `storeApi()` keeps for each browser (api.md, "The cart"), against a Medusa-shaped
 * stub: remembered when created, `current`, the guard, the transfer at every kind of sign-in,
 * sign-out, completion, and what wins when requests race.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import express from "express";
import request from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type SessionEvent,
} from "../../lib/index.js";
import { CHANNELS } from "../../lib/observability/channels.js";
import { createClock, SECRET, cookiePair, setCookie, signToken } from "../helpers.js";
import { RIGHT, bffFor } from "./bff.js";
import { stubBackend } from "./stub-backend.js";
import { stubCarts } from "./stub-carts.js";

const carts = stubCarts();
const backend = stubBackend({ routes: carts.routes });
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => {
  backend.reset();
  carts.reset();
});

const CART_COOKIE = "bff.sid.cart";
const cartCookie = (res: request.Response) => setCookie(res.headers, CART_COOKIE);
const forwarded = (url: string) => backend.seen.filter((s) => s.url.startsWith(url));

/** A browser: a cookie jar in front of one BFF (or several, sharing a store). */
function browser(app: express.Express) {
  const jar = new Map<string, string>();
  const keep = (res: request.Response) => {
    const raw = res.headers["set-cookie"] as unknown as string[] | undefined;
    for (const line of raw ?? []) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      if (/Max-Age=0/.test(line)) jar.delete(name);
      else jar.set(name, pair!.slice(eq + 1));
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  return {
    jar,
    cookie,
    async call(method: "get" | "post" | "delete", url: string, body?: object, to = app) {
      const req = request(to)[method](url);
      if (jar.size > 0) req.set("Cookie", cookie());
      return keep(await (body === undefined ? req : req.send(body)));
    },
    keep,
  };
}

async function guestCartWithItem(b: ReturnType<typeof browser>) {
  const created = await b.call("post", "/store/carts", { region_id: "reg_1" });
  expect(created.status).toBe(200);
  const added = await b.call("post", "/store/carts/current/line-items", {
    variant_id: "variant_1",
    quantity: 1,
  });
  expect(added.status).toBe(200);
  return created.body.cart.id as string;
}

describe("a guest's cart", () => {
  it("is remembered in an httpOnly, signed cookie, and `current` stands for it", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const created = await b.call("post", "/store/carts", { region_id: "reg_1" });
    const id = created.body.cart.id as string;
    const line = cartCookie(created)!;
    expect(line).toMatch(
      /^bff\.sid\.cart=cart_0001\.\d+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/,
    );
    const current = await b.call("get", "/store/carts/current?fields=id");
    expect(current.status).toBe(200);
    expect(current.body.cart.id).toBe(id);
    expect(backend.last().url).toBe(`/store/carts/${id}?fields=id`);
    const added = await b.call("post", "/store/carts/current/line-items", {
      variant_id: "variant_1",
      quantity: 2,
    });
    expect(backend.last().url).toBe(`/store/carts/${id}/line-items`);
    expect(added.body.cart.items).toEqual([expect.objectContaining({ quantity: 2 })]);
  });

  it("without one, `current` is 404 and nothing is forwarded", async () => {
    const { app } = bffFor(backend);
    const res = await request(app).get("/store/carts/current/line-items");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: expect.any(String), type: "not_found" });
    expect(forwarded("/store/carts")).toEqual([]);
  });

  it.each([
    ["a value this BFF did not sign", (v: string) => v.replace(/\.[^.]+$/, ".AAAA")],
    ["another cart id under a real signature", (v: string) => v.replace("cart_0001", "cart_0002")],
    ["a value without a signature", () => "cart_0001"],
  ])("is not adopted from %s", async (_name, tamper) => {
    const { app } = bffFor(backend);
    const created = await request(app).post("/store/carts").send({});
    const value = cartCookie(created)!
      .split(";")[0]!
      .slice(CART_COOKIE.length + 1);
    await request(app).post("/store/carts").send({}); // cart_0002 exists at the backend
    const res = await request(app)
      .get("/store/carts/current")
      .set("Cookie", `${CART_COOKIE}=${tamper(value)}`);
    expect(res.status).toBe(404);
    expect(forwarded("/store/carts/cart_")).toEqual([]);
  });

  it("is not adopted from a cookie sent twice (tossed in by a sibling), nor cross-site", async () => {
    const { app } = bffFor(backend);
    const created = await request(app).post("/store/carts").send({});
    const pair = cookiePair(cartCookie(created));
    const twice = await request(app).get("/store/carts/current").set("Cookie", `${pair}; ${pair}`);
    expect(twice.status).toBe(404);
    const crossSite = await request(app)
      .get("/store/carts/current")
      .set("Cookie", pair)
      .set("Sec-Fetch-Site", "cross-site")
      .set("Origin", "https://evil.example");
    expect(crossSite.status).toBe(404);
    expect(forwarded("/store/carts/cart_")).toEqual([]);
    // From an origin the app trusts, it is.
    const { app: trusting } = bffFor(backend, {
      csrf: { trustedOrigins: ["https://shop.example"] },
    });
    const made = await request(trusting).post("/store/carts").send({});
    const trusted = await request(trusting)
      .get("/store/carts/current")
      .set("Cookie", cookiePair(cartCookie(made)))
      .set("Sec-Fetch-Site", "cross-site")
      .set("Origin", "https://shop.example");
    expect(trusted.status).toBe(200);
  });
});

describe("a guest's cart writes pass the cross-site checks of cookie-authenticated writes", () => {
  const write = (app: express.Express, url: string, cookie?: string) => {
    const req = request(app).post(url).type("form").send("email=attacker%40evil.example");
    return cookie === undefined ? req : req.set("Cookie", cookie);
  };

  it("a page on a sibling subdomain cannot change the guest's cart (403, nothing forwarded)", async () => {
    const { app } = bffFor(backend);
    const created = await request(app).post("/store/carts").send({});
    const pair = cookiePair(cartCookie(created));
    backend.reset();
    const sibling = await write(app, "/store/carts/current", pair)
      .set("Sec-Fetch-Site", "same-site")
      .set("Origin", "http://user-content.shop.example");
    expect(sibling.status).toBe(403);
    // A foreign Origin without Fetch Metadata (an older browser, SameSite=None).
    const foreign = await write(app, "/store/carts/current/line-items", pair).set(
      "Origin",
      "https://evil.example",
    );
    expect(foreign.status).toBe(403);
    expect(backend.seen).toEqual([]);
    expect(carts.carts.get(created.body.cart.id)!.email).toBeNull();
    // The shop's own page, and a client that is no browser, still write.
    const own = await request(app)
      .post("/store/carts/current")
      .set("Cookie", pair)
      .set("Sec-Fetch-Site", "same-origin")
      .send({ email: "jane@example.com" });
    expect(own.status).toBe(200);
    expect(carts.carts.get(created.body.cart.id)!.email).toBe("jane@example.com");
  });

  it("nor plant a cart of its own making in the guest's browser", async () => {
    const { app } = bffFor(backend);
    const planted = await write(app, "/store/carts").set("Sec-Fetch-Site", "cross-site");
    expect(planted.status).toBe(403);
    expect(cartCookie(planted)).toBeUndefined();
    expect(forwarded("/store/carts")).toEqual([]);
  });

  it("csrf.trustedOrigins and csrf.allowSameSite open them as they do a session's writes", async () => {
    const { app } = bffFor(backend, {
      csrf: { trustedOrigins: ["https://shop.example"], allowSameSite: true },
    });
    const made = await request(app).post("/store/carts").send({});
    const pair = cookiePair(cartCookie(made));
    const trusted = await write(app, "/store/carts/current", pair)
      .set("Sec-Fetch-Site", "cross-site")
      .set("Origin", "https://shop.example");
    expect(trusted.status).toBe(200);
    const sameSite = await write(app, "/store/carts/current", pair)
      .set("Sec-Fetch-Site", "same-site")
      .set("Origin", "https://www.shop.example");
    expect(sameSite.status).toBe(200);
  });

  it("a guest's cart answer is private: the backend's public caching does not pass", async () => {
    carts.state.cacheControl = "public, max-age=600";
    const { app } = bffFor(backend);
    const created = await request(app).post("/store/carts").send({});
    const res = await request(app)
      .get("/store/carts/current")
      .set("Cookie", cookiePair(cartCookie(created)));
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("private, no-store");
  });
});

describe("the guard", () => {
  it("answers 404 for a cart id this browser does not hold, and never forwards it", async () => {
    const { app } = bffFor(backend);
    const mine = browser(app);
    const theirs = browser(app);
    await mine.call("post", "/store/carts", {});
    const other = (await theirs.call("post", "/store/carts", {})).body.cart.id as string;
    for (const path of [
      `/store/carts/${other}`,
      `/store/carts/${other}/line-items`,
      `/store/Carts/${other}`,
      `/store/%63arts/${other}`,
      `/store/carts/${other.replace("c", "%63")}`,
    ]) {
      const res = await mine.call("post", path, { email: "thief@example.com" });
      expect([path, res.status, res.body.type]).toEqual([path, 404, "not_found"]);
    }
    // Without any cart, too.
    expect((await request(app).get(`/store/carts/${other}`)).status).toBe(404);
    expect(forwarded(`/store/carts/${other}`)).toEqual([]);
    expect(carts.carts.get(other)!.email).toBeNull();
    // The browser's own cart, by its id, is forwarded.
    const own = await mine.call("get", "/store/carts/cart_0001");
    expect(own.status).toBe(200);
  });

  it("`cart: { guard: false }` forwards any cart id", async () => {
    const { app } = bffFor(backend, { cart: { guard: false } });
    const id = (await request(app).post("/store/carts").send({})).body.cart.id as string;
    const res = await request(app).get(`/store/carts/${id}`);
    expect(res.status).toBe(200);
    expect(backend.last().url).toBe(`/store/carts/${id}`);
  });

  it("costs other Store API paths nothing: no record is read for /store/products", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const getRecord = jest.spyOn(store, "getRecord");
    const { app } = bffFor(backend, { sessions: store });
    const b = browser(app);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    getRecord.mockClear();
    expect((await b.call("get", "/store/products?limit=2")).status).toBe(200);
    expect((await b.call("get", "/store/customers/me")).status).toBe(200);
    expect(getRecord).not.toHaveBeenCalled();
  });
});

describe("at sign-in", () => {
  it("a guest cart with items becomes the customer's, and stays current (password sign-in)", async () => {
    const { app, events } = bffFor(backend);
    const messages: unknown[] = [];
    const listen = (m: unknown) => messages.push(m);
    diagnosticsChannel.subscribe(CHANNELS.cartTransfer, listen);
    try {
      const b = browser(app);
      const id = await guestCartWithItem(b);
      const signedIn = await b.call("post", "/auth/customer/emailpass", RIGHT);
      expect(signedIn.status).toBe(200);
      expect(cartCookie(signedIn)).toMatch(/^bff\.sid\.cart=; .*Max-Age=0/);
      expect(b.jar.has(CART_COOKIE)).toBe(false);
      const transfer = backend.seen.find((s) => s.url === `/store/carts/${id}/customer`)!;
      expect(transfer.method).toBe("POST");
      expect(transfer.headers.authorization).toMatch(/^Bearer eyJ/);
      expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
      const current = await b.call("get", "/store/carts/current");
      expect(current.body.cart).toMatchObject({ id, customer_id: "cus_123" });
      expect(events).toContainEqual({
        type: "cart.transferred",
        sessionId: expect.any(String),
        customerId: "cus_123",
      });
      expect(messages).toEqual([{ outcome: "transferred" }]);
    } finally {
      diagnosticsChannel.unsubscribe(CHANNELS.cartTransfer, listen);
    }
  });

  it("a copy of the guest cookie taken before the sign-in no longer reaches the cart", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    const copied = `${CART_COOKIE}=${b.jar.get(CART_COOKIE)!}`;
    expect((await b.call("post", "/auth/customer/emailpass", RIGHT)).status).toBe(200);
    const before = forwarded(`/store/carts/${id}`).length;
    const stolen = await request(app).get("/store/carts/current").set("Cookie", copied);
    expect(stolen.status).toBe(404);
    expect(cartCookie(stolen)).toMatch(/Max-Age=0/);
    const byId = await request(app).get(`/store/carts/${id}`).set("Cookie", copied);
    expect(byId.status).toBe(404);
    expect(forwarded(`/store/carts/${id}`)).toHaveLength(before);
  });

  it("over HTTPS the cart cookie is a host-only __Host- cookie, even when the session cookie has a Domain", async () => {
    const { app } = bffFor(backend, { cookie: { secure: true, domain: "shop.example" } });
    const created = await request(app).post("/store/carts").send({ region_id: "reg_1" });
    const line = setCookie(created.headers, "__Host-bff.sid.cart");
    expect(line).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=2592000$/);
    expect(line).not.toMatch(/Domain=/i);
  });

  it("a guest cookie kept past its expiry (a copy) names no cart", async () => {
    let now = Date.now();
    const { app } = bffFor(backend, { now: () => now });
    const b = browser(app);
    await guestCartWithItem(b);
    now += 31 * 24 * 3600_000;
    const later = await b.call("get", "/store/carts/current");
    expect(later.status).toBe(404);
  });

  it("completing it as /COMPLETE (the backend's router ignores case) forgets it too", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    await guestCartWithItem(b);
    const done = await b.call("post", "/store/carts/current/COMPLETE", {});
    expect(done.status).toBe(200);
    expect((await b.call("get", "/store/carts/current")).status).toBe(404);
  });

  it("POST /auth/session with the customer's token transfers it too", async () => {
    const { app, events } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    const token = await signToken(createClock(Date.now()));
    const res = b.keep(
      await request(app)
        .post("/auth/session")
        .set("Cookie", b.cookie())
        .set("Authorization", `Bearer ${token}`),
    );
    expect(res.status).toBe(200);
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(id);
    expect(events.map((e) => e.type)).toContain("cart.transferred");
  });

  it("register, then sign in: the guest cart survives the pending session and is transferred", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    await b.call("post", "/auth/customer/emailpass/register", RIGHT);
    // The pending session browses as a guest: its cart is still the guest's.
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(id);
    expect(carts.carts.get(id)!.customer_id).toBeNull();
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(id);
  });

  it("a third-party callback transfers it", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    await b.call("post", "/auth/customer/google", {});
    const res = await b.call("get", "/auth/customer/google/callback?code=good-code&state=abc");
    expect(res.status).toBe(200);
    expect(carts.carts.get(id)!.customer_id).toBe("cus_123");
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(id);
  });

  it("without a guest cart, the customer's cart comes back on any device", async () => {
    const { app, events } = bffFor(backend);
    const laptop = browser(app);
    const id = await guestCartWithItem(laptop);
    await laptop.call("post", "/auth/customer/emailpass", RIGHT);
    const phone = browser(app);
    await phone.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await phone.call("get", "/store/carts/current")).body.cart.id).toBe(id);
    expect(events.filter((e) => e.type === "cart.restored")).toHaveLength(1);
  });

  it("an empty guest cart gives way to the customer's cart; without one it is transferred", async () => {
    const { app } = bffFor(backend);
    const laptop = browser(app);
    const full = await guestCartWithItem(laptop);
    await laptop.call("post", "/auth/customer/emailpass", RIGHT);
    const phone = browser(app);
    const empty = (await phone.call("post", "/store/carts", {})).body.cart.id as string;
    await phone.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await phone.call("get", "/store/carts/current")).body.cart.id).toBe(full);
    expect(carts.carts.get(empty)!.customer_id).toBeNull();
    expect(phone.jar.has(CART_COOKIE)).toBe(false);

    const { app: fresh } = bffFor(backend); // a customer with no cart remembered
    const tablet = browser(fresh);
    const alone = (await tablet.call("post", "/store/carts", {})).body.cart.id as string;
    await tablet.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await tablet.call("get", "/store/carts/current")).body.cart.id).toBe(alone);
    expect(carts.carts.get(alone)!.customer_id).toBe("cus_123");
  });

  it.each([
    ["refused", () => void (carts.state.transfer = "500")],
    ["completed", (id: string) => void (carts.carts.get(id)!.completed_at = "2026-01-01")],
    ["another_customer", (id: string) => void (carts.carts.get(id)!.customer_id = "cus_other")],
    ["not_found", (id: string) => void carts.carts.delete(id)],
  ])("a failed transfer (%s) never fails the sign-in; an event says why", async (reason, spoil) => {
    const { app, events } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    spoil(id);
    const res = await b.call("post", "/auth/customer/emailpass", RIGHT);
    expect(res.status).toBe(200);
    expect(events).toContainEqual({
      type: "cart.transfer_failed",
      sessionId: expect.any(String),
      customerId: "cus_123",
      reason,
    });
    expect(b.jar.has(CART_COOKIE)).toBe(false);
    expect((await b.call("get", "/store/carts/current")).status).toBe(404);
    if (reason === "another_customer") {
      // Never handed over: the other customer's cart stays theirs.
      expect(forwarded(`/store/carts/${id}/customer`)).toEqual([]);
      expect(carts.carts.get(id)!.customer_id).toBe("cus_other");
    }
  });

  it("a backend that cannot be reached: the sign-in still succeeds", async () => {
    const cookie = { secret: "cookie-secret-that-is-at-least-32-bytes!" };
    const { app, events } = bffFor(backend, { cookie });
    const b = browser(app);
    await guestCartWithItem(b);
    // Sign in with a token at a BFF whose backend is gone (the token is checked locally).
    const { app: cut, events: cutEvents } = bffFor(
      { ...backend, url: "http://127.0.0.1:9" } as typeof backend,
      {
        cookie,
        customers: { retrieve: async () => ({ id: "cus_123", email: "jo@example.com" }) as never },
      },
    );
    const token = await signToken(createClock(Date.now()));
    const res = await request(cut)
      .post("/auth/session")
      .set("Cookie", b.cookie())
      .set("Authorization", `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(cutEvents).toContainEqual(
      expect.objectContaining({ type: "cart.transfer_failed", reason: "unavailable" }),
    );
    expect(events.map((e) => e.type)).not.toContain("cart.transfer_failed");
  });
});

describe("sign-out and completion", () => {
  it("sign-out forgets the cart for the browser, not for the customer", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    const out = await b.call("delete", "/auth/session");
    expect(out.status).toBe(200);
    expect((await b.call("get", "/store/carts/current")).status).toBe(404);
    expect((await b.call("get", `/store/carts/${id}`)).status).toBe(404);
    expect(
      forwarded(`/store/carts/${id}`).filter((s) => s.method === "GET" && !s.headers.authorization),
    ).toHaveLength(1); // the transfer's read only
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(id);
  });

  it("a guest's sign-out clears the guest cart cookie", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    await b.call("post", "/store/carts", {});
    const out = await b.call("delete", "/auth/session");
    expect(cartCookie(out)).toMatch(/Max-Age=0/);
    expect((await b.call("get", "/store/carts/current")).status).toBe(404);
  });

  it("completing it forgets it for the browser and the customer", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    const done = await b.call("post", "/store/carts/current/complete");
    expect(done.body).toMatchObject({ type: "order" });
    expect(backend.last().url).toBe(`/store/carts/${id}/complete`);
    expect((await b.call("get", "/store/carts/current")).status).toBe(404);
    const phone = browser(app);
    await phone.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await phone.call("get", "/store/carts/current")).status).toBe(404);
  });

  it("a guest completing it: the cookie is cleared", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    await guestCartWithItem(b);
    const done = await b.call("post", "/store/carts/current/complete");
    expect(done.body.type).toBe("order");
    expect(cartCookie(done)).toMatch(/Max-Age=0/);
  });

  it("a completed cart is not restored at the next sign-in, even if completed elsewhere", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    carts.carts.get(id)!.completed_at = "2026-01-01";
    const phone = browser(app);
    await phone.call("post", "/auth/customer/emailpass", RIGHT);
    expect((await phone.call("get", "/store/carts/current")).status).toBe(404);
  });
});

describe("races", () => {
  it("two tabs creating a cart at once: the one answered last is current", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    carts.state.createDelays.push(150, 0); // the first request is answered last
    const [slow, fast] = await Promise.all([
      b.call("post", "/store/carts", {}),
      new Promise((r) => setTimeout(r, 30)).then(() => b.call("post", "/store/carts", {})),
    ]);
    expect(slow.body.cart.id).not.toBe(fast.body.cart.id);
    expect((await b.call("get", "/store/carts/current")).body.cart.id).toBe(slow.body.cart.id);
    // The other one is the customer's still, at the backend: not reachable here.
    expect((await b.call("get", `/store/carts/${fast.body.cart.id}`)).status).toBe(404);
  });

  it("a guest cart created while the sign-in ran is transferred at the next cart request", async () => {
    const { app, events } = bffFor(backend);
    const b = browser(app);
    // The creation's answer (and its cookie) arrives after the sign-in answered.
    const id = await guestCartWithItem(b);
    const guestPair = `${CART_COOKIE}=${b.jar.get(CART_COOKIE)}`;
    b.jar.delete(CART_COOKIE);
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    b.jar.set(CART_COOKIE, guestPair.slice(CART_COOKIE.length + 1));
    const current = await b.call("get", "/store/carts/current");
    expect(current.body.cart).toMatchObject({ id, customer_id: "cus_123" });
    expect(b.jar.has(CART_COOKIE)).toBe(false);
    expect(events.map((e) => e.type)).toContain("cart.transferred");
  });

  it("an add-to-cart that reaches the BFF as a guest after the transfer is refused, not lost silently", async () => {
    const { app } = bffFor(backend);
    const b = browser(app);
    const id = await guestCartWithItem(b);
    const guestCookie = b.cookie();
    await b.call("post", "/auth/customer/emailpass", RIGHT);
    // Sent before the sign-in's answer cleared the guest cookie, judged after the transfer: the
    // cart is the customer's now, and a guest cookie reaches it no more (a copy could be stolen).
    const late = await request(app)
      .post("/store/carts/current/line-items")
      .set("Cookie", guestCookie)
      .send({ variant_id: "variant_2", quantity: 1 });
    expect(late.status).toBe(404);
    // The page, signed in now, adds it again through `current`: the same cart.
    const again = await b.call("post", "/store/carts/current/line-items", {
      variant_id: "variant_2",
      quantity: 1,
    });
    expect(again.status).toBe(200);
    const current = await b.call("get", "/store/carts/current");
    expect(current.body.cart.id).toBe(id);
    expect(current.body.cart.items).toHaveLength(2);
  });

  it("two instances sharing a store and cookie.secret hold the same carts", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const make = () => {
      const events: SessionEvent[] = [];
      const router = createSessionRouter({
        keys: hmacSecret(SECRET),
        sessions: store,
        cookie: { secret: "cookie-secret-that-is-at-least-32-bytes!" },
        upstream: { baseUrl: backend.url, publishableKey: "pk_bff" },
        onEvent: (e) => events.push(e),
        logger: false,
      });
      const app = express();
      app.use(router);
      app.use(router.storeApi());
      app.use(errorHandler());
      return app;
    };
    const [a, b] = [make(), make()];
    const shopper = browser(a);
    const id = (await shopper.call("post", "/store/carts", {}, a)).body.cart.id as string;
    expect((await shopper.call("get", "/store/carts/current", undefined, b)).body.cart.id).toBe(id);
    await shopper.call(
      "post",
      "/store/carts/current/line-items",
      { variant_id: "v", quantity: 1 },
      b,
    );
    await shopper.call("post", "/auth/customer/emailpass", RIGHT, a);
    expect((await shopper.call("get", "/store/carts/current", undefined, b)).body.cart.id).toBe(id);
  });
});

describe("options", () => {
  it("cart.guard must be a boolean", () => {
    expect(() => bffFor(backend, { cart: { guard: "no" as never } })).toThrow(/cart\.guard/);
  });

  it("a shared store without cookie.secret is refused: instances must verify each other's cookie", () => {
    const shared = {
      get: jest.fn(),
      set: jest.fn(),
      touch: jest.fn(),
      destroy: jest.fn(),
      consumeTokenId: jest.fn(),
      getRecord: jest.fn(),
      setRecord: jest.fn(),
    };
    expect(() =>
      bffFor(backend, { sessions: shared, upstreamExtra: { signInLimits: false } }),
    ).toThrow(/"cookie\.secret"/);
  });
});
