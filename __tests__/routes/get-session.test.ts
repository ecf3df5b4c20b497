import request from "supertest";
import { StoreApiError } from "../../lib/index.js";
import { buildApp, cookiePair, setCookie, signToken, type TestApp, signIn } from "../helpers.js";

function expectUnauthorized(res: request.Response) {
  expect(res.status).toBe(401);
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  expect(res.text).toBe("Unauthorized");
  expect(res.headers["cache-control"]).toBe("no-store");
}

describe("GET /auth/session", () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildApp();
  });

  it("answers { user, session } for a live session, re-reading the customer", async () => {
    const cookie = await signIn(t);
    t.retrieve.mockClear();
    t.customers.set("cus_123", { ...t.customers.get("cus_123")!, first_name: "Janet" });
    const res = await request(t.app).get("/auth/session").set("Cookie", cookie);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.user).toMatchObject({ id: "cus_123", first_name: "Janet" });
    expect(res.body.user).not.toHaveProperty("password_hash");
    expect(res.body.session).toEqual({
      expires_at: new Date(t.clock.now() + 2 * 3600_000).toISOString(),
      idle_expires_at: new Date(t.clock.now() + 2 * 3600_000).toISOString(),
      absolute_expires_at: new Date(t.clock.now() + 10 * 3600_000).toISOString(),
    });
    expect(t.retrieve).toHaveBeenCalledWith(
      "cus_123",
      expect.objectContaining({ token: undefined, claims: undefined }),
    );
  });

  it("answers 401 without a cookie", async () => {
    expectUnauthorized(await request(t.app).get("/auth/session"));
  });

  it("answers 401 and clears an unknown cookie", async () => {
    const res = await request(t.app)
      .get("/auth/session")
      .set("Cookie", `bff.sid=${"C".repeat(43)}`);
    expectUnauthorized(res);
    expect(setCookie(res.headers)).toMatch(/^bff\.sid=; .*Max-Age=0/);
  });

  it("ends the session with 401 when the customer no longer exists", async () => {
    const cookie = await signIn(t);
    t.customers.delete("cus_123");
    const res = await request(t.app).get("/auth/session").set("Cookie", cookie);
    expectUnauthorized(res);
    expect(setCookie(res.headers)).toMatch(/Max-Age=0/);
    expect(t.store.inner.size).toBe(0);
    t.customers.set("cus_123", { id: "cus_123", email: "back@example.com" });
    expectUnauthorized(await request(t.app).get("/auth/session").set("Cookie", cookie));
  });

  it("passes a customer store's StoreApiError through in its documented shape", async () => {
    const cookie = await signIn(t);
    t.retrieve.mockRejectedValueOnce(
      new StoreApiError("database_error", "Customer database is down."),
    );
    const res = await request(t.app).get("/auth/session").set("Cookie", cookie);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      code: "api_error",
      message: "Customer database is down.",
      type: "database_error",
    });
  });

  it("with ?touch=false reports without extending the idle deadline", async () => {
    const cookie = await signIn(t);
    t.clock.advance(30 * 60_000);
    const peek = await request(t.app).get("/auth/session?touch=false").set("Cookie", cookie);
    expect(peek.body.session.idle_expires_at).toBe(
      new Date(t.clock.now() + 90 * 60_000).toISOString(),
    );
    expect(t.store.count("touch")).toBe(0);
    const used = await request(t.app).get("/auth/session").set("Cookie", cookie);
    expect(used.body.session.idle_expires_at).toBe(
      new Date(t.clock.now() + 120 * 60_000).toISOString(),
    );
    expect(t.store.count("touch")).toBe(1);
  });
});

describe("routing", () => {
  it("routes the session path as Express matches it (any case, trailing slash), and nothing else", async () => {
    const t = buildApp();
    const login = await request(t.app)
      .post("/AUTH/Session/")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    expect(login.status).toBe(200);
    const cookie = cookiePair(setCookie(login.headers));
    expect(
      (await request(t.app).get("/auth/session?touch=false").set("Cookie", cookie)).status,
    ).toBe(200);
    expect((await request(t.app).get("/auth/sessions").set("Cookie", cookie)).status).toBe(404);
    expect((await request(t.app).get("/auth/session/extra").set("Cookie", cookie)).status).toBe(
      404,
    );
    expect((await request(t.app).get("/store/products")).status).toBe(200);
  });

  it("works mounted under a prefix", async () => {
    const express = (await import("express")).default;
    const t = buildApp();
    const outer = express();
    outer.use("/bff", t.router);
    const res = await request(outer)
      .post("/bff/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    expect(res.status).toBe(200);
    expect((await request(outer).post("/auth/session")).status).toBe(404);
  });
});
