import request from "supertest";
import { buildApp, setCookie, type TestApp, signIn } from "../helpers.js";

const CLEARED =
  "bff.sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";

describe("DELETE /auth/session", () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildApp();
  });

  it("destroys the session, clears the cookie and answers { success: true }", async () => {
    const cookie = await signIn(t);
    const res = await request(t.app).delete("/auth/session").set("Cookie", cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(setCookie(res.headers)).toBe(CLEARED);
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      401,
    );
    expect(t.store.inner.size).toBe(0);
    expect(t.events.at(-1)).toMatchObject({ type: "session.destroyed", reason: "logout" });
  });

  it.each([
    ["no cookie", undefined],
    ["an unknown cookie", `bff.sid=${"B".repeat(43)}`],
    ["a malformed cookie", "bff.sid=<script>"],
  ])("is idempotent with %s", async (_name, cookie) => {
    const req = request(t.app).delete("/auth/session");
    if (cookie) req.set("Cookie", cookie);
    const res = await req;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(setCookie(res.headers)).toBe(CLEARED);
  });

  it("is idempotent with an expired session", async () => {
    const cookie = await signIn(t);
    t.clock.advance(11 * 3600_000);
    const res = await request(t.app).delete("/auth/session").set("Cookie", cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
  });

  it("a second logout with the same cookie still answers 200", async () => {
    const cookie = await signIn(t);
    await request(t.app).delete("/auth/session").set("Cookie", cookie);
    const res = await request(t.app).delete("/auth/session").set("Cookie", cookie);
    expect(res.status).toBe(200);
  });

  it("clears with the configured name, path and domain", async () => {
    const app = buildApp({ cookie: { name: "sid", domain: "example.com", path: "/" } });
    const res = await request(app.app).delete("/auth/session");
    expect(setCookie(res.headers, "sid")).toBe(
      "sid=; Path=/; Domain=example.com; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    );
  });

  // A logout either takes effect or does not pretend to: a cleared cookie over a live session
  // would look signed out while the session stays valid, and the browser could not retry.
  it.each([
    ["rejects", () => Promise.reject(new Error("ETIMEDOUT"))],
    [
      "throws",
      () => {
        throw new Error("ECONNRESET");
      },
    ],
    ["never answers", () => new Promise<void>(() => {})],
  ])(
    "when the store's destroy %s: 500, the cookie kept, and a retry signs out",
    async (_name, failure) => {
      const slow = buildApp({ session: { storeTimeout: 0.05 } });
      const cookie = await signIn(slow);
      jest.spyOn(slow.store.inner, "destroy").mockImplementationOnce(failure);
      const res = await request(slow.app).delete("/auth/session").set("Cookie", cookie);
      expect(res.status).toBe(500);
      expect(res.body.type).toBe("database_error");
      expect(setCookie(res.headers)).toBeUndefined();
      expect(
        (await request(slow.app).get("/store/customers/me").set("Cookie", cookie)).status,
      ).toBe(200);
      const retry = await request(slow.app).delete("/auth/session").set("Cookie", cookie);
      expect(retry.status).toBe(200);
      expect(setCookie(retry.headers)).toBe(CLEARED);
      expect(
        (await request(slow.app).get("/store/customers/me").set("Cookie", cookie)).status,
      ).toBe(401);
    },
  );
});
