import request from "supertest";
import { startExample, type RunningExample } from "../example-app/src/app";

describe("example-app: the whole flow over HTTP", () => {
  let example: RunningExample;
  beforeAll(async () => {
    example = await startExample({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => example.close());

  const agent = () => request(example.url);

  async function signIn(email = "jane@example.com", userAgent = "jest") {
    // Through the BFF: it keeps the backend's token and answers a stand-in.
    const login = await agent()
      .post("/auth/customer/emailpass")
      .set("User-Agent", userAgent)
      .send({ email, password: "storefront-demo" });
    expect(login.status).toBe(200);
    expect(login.body.token).toMatch(/^bffsi_/);
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const session = await agent()
      .post("/auth/session")
      .set("Cookie", cookie)
      .set("Authorization", `Bearer ${login.body.token}`);
    expect(session.status).toBe(200);
    return { session, cookie };
  }

  it("publishes an ES256 JWKS and issues customer tokens verified through it", async () => {
    const jwks = await agent().get("/.well-known/jwks.json");
    expect(jwks.body.keys).toEqual([
      expect.objectContaining({ kty: "EC", crv: "P-256", alg: "ES256", kid: "demo-es256" }),
    ]);
    expect(jwks.body.keys[0]).not.toHaveProperty("d");
    const { session } = await signIn();
    expect(session.body.user).toMatchObject({ id: "cus_01JDEMOJANE", email: "jane@example.com" });
    expect(session.body.user.addresses).toHaveLength(2);
    expect(session.body.user).not.toHaveProperty("password_hash");
  });

  it.each([
    [{ email: "jane@example.com", password: "wrong" }],
    [{ email: "nobody@example.com", password: "storefront-demo" }],
    [{}],
  ])("answers the documented 401 for wrong credentials %j", async (body) => {
    const res = await agent().post("/auth/customer/emailpass").send(body);
    expect(res.status).toBe(401);
    expect(res.text).toBe("Unauthorized");
  });

  it("login → session → me → logout", async () => {
    const { cookie } = await signIn();
    expect((await agent().get("/auth/session").set("Cookie", cookie)).body.user.first_name).toBe(
      "Jane",
    );
    // Forwarded through storeApi() to the embedded Store API stand-in, as the customer.
    const me = await agent().get("/store/customers/me").set("Cookie", cookie);
    expect(me.status).toBe(200);
    expect(me.body.customer.id).toBe("cus_01JDEMOJANE");
    expect(me.body.customer).not.toHaveProperty("password_hash");
    expect(me.headers["cache-control"]).toBe("private, no-store");
    expect((await agent().delete("/auth/session").set("Cookie", cookie)).body).toEqual({
      success: true,
    });
    expect((await agent().get("/store/customers/me").set("Cookie", cookie)).status).toBe(401);
  });

  it("shows products and keeps a cart through storeApi(), as the customer", async () => {
    const { cookie } = await signIn();
    const products = await agent().get("/store/products").set("Cookie", cookie);
    const variant = products.body.products[0].variants[0].id as string;
    const cart = await agent().post("/store/carts").set("Cookie", cookie).send({});
    expect(cart.body.cart.customer_id).toBe("cus_01JDEMOJANE");
    const added = await agent()
      .post(`/store/carts/${cart.body.cart.id}/line-items`)
      .set("Cookie", cookie)
      .send({ variant_id: variant, quantity: 2 });
    expect(added.status).toBe(200);
    expect(added.body.cart.items).toEqual([
      expect.objectContaining({ variant_id: variant, quantity: 2 }),
    ]);
    // Another customer cannot read it.
    const max = await signIn("max@example.com");
    expect(
      (await agent().get(`/store/carts/${cart.body.cart.id}`).set("Cookie", max.cookie)).status,
    ).toBe(404);
    expect((await agent().delete("/auth/session").set("Cookie", max.cookie)).status).toBe(200);
  });

  it("lists sessions and signs out everywhere", async () => {
    const phone = await signIn("max@example.com", "Phone");
    const laptop = await signIn("max@example.com", "Laptop");
    const list = await agent().get("/store/customers/me/sessions").set("Cookie", laptop.cookie);

    expect(
      list.body.sessions.map((s: { user_agent: string; current: boolean }) => [
        s.user_agent,
        s.current,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["Phone", false],
        ["Laptop", true],
      ]),
    );
    const revoke = await agent()
      .delete("/store/customers/me/sessions")
      .set("Cookie", laptop.cookie);
    expect(revoke.body).toEqual({ revoked: 2 });
    expect((await agent().get("/auth/session").set("Cookie", phone.cookie)).status).toBe(401);
    expect((await agent().get("/auth/session").set("Cookie", laptop.cookie)).status).toBe(401);
  });

  it("signs out one device, and only the customer's own", async () => {
    const phone = await signIn("max@example.com", "Phone");
    const laptop = await signIn("max@example.com", "Laptop");
    const jane = await signIn("jane@example.com");
    const list = await agent().get("/store/customers/me/sessions").set("Cookie", laptop.cookie);
    const other = list.body.sessions.find((s: { current: boolean }) => !s.current).id as string;
    const foreign = await agent()
      .delete(`/store/customers/me/sessions/${other}`)
      .set("Cookie", jane.cookie);
    expect(foreign.status).toBe(404);
    const mine = await agent()
      .delete(`/store/customers/me/sessions/${other}`)
      .set("Cookie", laptop.cookie);
    expect(mine.body).toEqual({ revoked: true });
    expect((await agent().get("/auth/session").set("Cookie", phone.cookie)).status).toBe(401);
    expect((await agent().get("/auth/session").set("Cookie", laptop.cookie)).status).toBe(200);
    for (const c of [laptop, jane]) await agent().delete("/auth/session").set("Cookie", c.cookie);
  });

  it("serves the storefront page", async () => {
    const page = await agent().get("/");
    expect(page.status).toBe(200);
    expect(page.text).toContain('<form id="sign-in">');
    // An inline icon: no /favicon.ico request (and 404) on every load.
    expect(page.text).toContain('<link rel="icon" href="data:," />');
  });
});
