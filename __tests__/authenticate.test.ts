import request from "supertest";
import { buildApp, setCookie, signToken, type TestApp, signIn } from "./helpers.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const me = (t: TestApp, cookie?: string) => {
  const req = request(t.app).get("/store/customers/me");
  return cookie === undefined ? req : req.set("Cookie", cookie);
};

describe("authenticate()", () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildApp();
  });

  it("sets req.auth with the store key, never the cookie token", async () => {
    const cookie = await signIn(t);
    const res = await me(t, cookie);
    expect(res.status).toBe(200);
    expect(res.body.customer_id).toBe("cus_123");
    const token = cookie.split("=")[1]!;
    expect(res.body.session_id).not.toBe(token);
    expect(res.body.session_id).toBe(t.store.calls.find((c) => c.method === "set")!.args[0]);
  });

  it("answers a bare 401 without a session", async () => {
    const res = await me(t);
    expect(res.status).toBe(401);
    expect(res.text).toBe("Unauthorized");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  });

  it("with optional: true continues without a session and with one", async () => {
    expect((await request(t.app).get("/store/products")).body).toEqual({ customer_id: null });
    const cookie = await signIn(t);
    expect((await request(t.app).get("/store/products").set("Cookie", cookie)).body).toEqual({
      customer_id: "cus_123",
    });
  });

  it("answers 500 database_error when the store fails, never authenticating", async () => {
    const cookie = await signIn(t);
    jest.spyOn(t.store.inner, "get").mockRejectedValueOnce(new Error("ECONNRESET"));
    const res = await me(t, cookie);
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("database_error");
    expect(res.text).not.toContain("ECONNRESET");
  });

  it("treats a corrupted record as no session and deletes it", async () => {
    const cookie = await signIn(t);
    jest.spyOn(t.store.inner, "get").mockResolvedValueOnce({ customerId: 42 } as never);
    expect((await me(t, cookie)).status).toBe(401);
    expect(t.store.inner.size).toBe(0);
  });

  describe("lifetime (injected clock)", () => {
    it("ends a session idle for longer than idleTimeout", async () => {
      const cookie = await signIn(t);
      t.clock.advance(2 * HOUR - 1);
      expect((await me(t, cookie)).status).toBe(200);
      t.clock.advance(2 * HOUR);
      expect((await me(t, cookie)).status).toBe(401);
      expect(await t.store.inner.get(t.store.calls[0]!.args[0] as string)).toBeNull();
    });

    it("slides the idle deadline while in use, up to the absolute timeout", async () => {
      const cookie = await signIn(t);
      for (let hour = 1; hour < 10; hour++) {
        t.clock.advance(HOUR);
        expect((await me(t, cookie)).status).toBe(200);
      }
      t.clock.advance(HOUR - 1);
      expect((await me(t, cookie)).status).toBe(200);
      t.clock.advance(1);
      expect((await me(t, cookie)).status).toBe(401);
    });

    it("never moves the idle deadline past the absolute one", async () => {
      const cookie = await signIn(t);
      t.clock.advance(9 * HOUR);
      for (let i = 0; i < 9; i++) {
        t.clock.advance(HOUR / 10);
        await me(t, cookie);
      }
      const touches = t.store.calls.filter((c) => c.method === "touch");
      for (const { args } of touches) {
        const record = args[1] as { idleExpiresAt: number; absoluteExpiresAt: number };
        expect(record.idleExpiresAt).toBeLessThanOrEqual(record.absoluteExpiresAt);
      }
    });

    it("writes the store at most once per touchInterval", async () => {
      const cookie = await signIn(t);
      t.clock.advance(12 * MINUTE); // the default interval: a tenth of 2h
      for (let i = 0; i < 100; i++) {
        expect((await me(t, cookie)).status).toBe(200);
        t.clock.advance(1000);
      }
      expect(t.store.count("touch")).toBe(1);
      expect(t.store.count("set")).toBe(1);
    });

    it("honours configured durations given as strings", async () => {
      const app = buildApp({
        session: { idleTimeout: "5m", absoluteTimeout: "1h", touchInterval: "1m" },
      });
      const cookie = await signIn(app);
      app.clock.advance(4 * MINUTE);
      expect((await me(app, cookie)).status).toBe(200);
      app.clock.advance(5 * MINUTE + 1);
      expect((await me(app, cookie)).status).toBe(401);
    });

    it("applies a shortened absoluteTimeout to sessions created before the change, and reports it", async () => {
      const clock = t.clock;
      const cookie = await signIn(t);
      const shorter = buildApp({ sessions: t.store, session: { absoluteTimeout: "1h" } }, clock);
      clock.advance(59 * MINUTE);
      expect((await me(shorter, cookie)).status).toBe(200);
      const fresh = await signIn(t);
      clock.advance(61 * MINUTE);
      expect((await me(shorter, fresh)).status).toBe(401);
      expect(shorter.events.at(-1)).toMatchObject({ type: "session.expired", kind: "absolute" });
    });
  });

  describe("hostile cookies", () => {
    it.each([
      ["too short", "bff.sid=abc"],
      ["too long", `bff.sid=${"A".repeat(44)}`],
      ["bad alphabet", `bff.sid=${"A".repeat(42)}+`],
      ["percent-encoded", `bff.sid=${"%41".repeat(43)}`],
      ["huge", `bff.sid=${"A".repeat(4000)}`],
      ["empty", "bff.sid="],
      ["prototype name", "__proto__=x; constructor=y"],
      ["name as a suffix of another", `xbff.sid=${"A".repeat(43)}`],
    ])("%s: 401 without a store lookup", async (_name, cookie) => {
      const res = await me(t, cookie);
      expect(res.status).toBe(401);
      expect(t.store.count("get")).toBe(0);
    });

    it("refuses a cookie sent twice, in either order", async () => {
      const cookie = await signIn(t);
      const other = `bff.sid=${"D".repeat(43)}`;
      expect((await me(t, `${cookie}; ${other}`)).status).toBe(401);
      expect((await me(t, `${other}; ${cookie}`)).status).toBe(401);
      expect((await me(t, `a=1; ${cookie}; b=2`)).status).toBe(200);
    });

    it("accepts a quoted value (RFC 6265 allows DQUOTEs)", async () => {
      const cookie = await signIn(t);
      const [name, value] = cookie.split("=");
      expect((await me(t, `${name}="${value}"`)).status).toBe(200);
    });
  });

  describe("signed cookies", () => {
    const secret = "cookie-signing-secret-32-characters!";
    it("signs with the first secret and verifies with any", async () => {
      const app = buildApp({ cookie: { secret } });
      const cookie = await signIn(app);
      expect(cookie).toMatch(/^bff\.sid=s%3A[A-Za-z0-9_-]{43}\./);
      expect((await me(app, cookie)).status).toBe(200);
      const rotated = buildApp(
        {
          cookie: { secret: ["a-brand-new-secret-of-32-characters!", secret] },
          sessions: app.store,
        },
        app.clock,
      );
      expect((await me(rotated, cookie)).status).toBe(200);
    });

    it("refuses unsigned and badly signed values without a lookup", async () => {
      const app = buildApp({ cookie: { secret } });
      const cookie = await signIn(app);
      const token = decodeURIComponent(cookie.split("=")[1]!).slice(2, 45);
      expect((await me(app, `bff.sid=${token}`)).status).toBe(401);
      expect((await me(app, `${cookie.slice(0, -3)}AAA`)).status).toBe(401);
      expect((await me(app, "bff.sid=%E0%A4%A")).status).toBe(401);
      expect(app.store.count("get")).toBe(0);
    });
  });

  describe("CSRF defence on cookie-authenticated writes", () => {
    const post = (cookie: string, headers: Record<string, string>) =>
      request(t.app).post("/store/carts").set("Cookie", cookie).set(headers);

    it.each([
      [{ "Sec-Fetch-Site": "cross-site" }],
      [{ "Sec-Fetch-Site": "same-site" }],
      [{ Origin: "https://evil.example" }],
      [{ Origin: "null" }],
    ])("refuses %j with 403 forbidden, saying which check refused", async (headers) => {
      const cookie = await signIn(t);
      const res = await post(cookie, headers);
      expect(res.status).toBe(403);
      const why = {
        "cross-site": /marked it cross-site, and its Origin is not in csrf\.trustedOrigins/,
        "same-site": /marked it same-site .* csrf\.allowSameSite is off/,
        "https://evil.example": /its Origin is neither this server's nor in csrf\.trustedOrigins/,
        null: /Origin is null/,
      }[String(Object.values(headers)[0])]!;
      expect(res.body).toEqual({
        message: expect.stringMatching(/^Cross-site request refused: .+\.$/),
        type: "forbidden",
      });
      expect(res.body.message).toMatch(why);
      expect(t.events.at(-1)).toMatchObject({ type: "csrf.rejected", method: "POST" });
    });

    it.each([[{}], [{ "Sec-Fetch-Site": "same-origin" }], [{ "Sec-Fetch-Site": "none" }]])(
      "lets %j through",
      async (headers) => {
        const cookie = await signIn(t);
        expect((await post(cookie, headers)).status).toBe(200);
      },
    );

    it("lets the request's own origin through", async () => {
      const cookie = await signIn(t);
      const res = await request(t.app)
        .post("/store/carts")
        .set("Cookie", cookie)
        .set("Host", "shop.test")
        .set("Origin", "http://shop.test");
      expect(res.status).toBe(200);
    });

    it("lets trusted origins and, when allowed, same-site requests through", async () => {
      const app = buildApp({
        csrf: { trustedOrigins: ["https://shop.example.com"], allowSameSite: true },
      });
      const cookie = await signIn(app);
      const post2 = (h: Record<string, string>) =>
        request(app.app).post("/store/carts").set("Cookie", cookie).set(h);
      expect(
        (await post2({ Origin: "https://shop.example.com", "Sec-Fetch-Site": "cross-site" }))
          .status,
      ).toBe(200);
      expect((await post2({ "Sec-Fetch-Site": "same-site" })).status).toBe(200);
      expect((await post2({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    });

    it("never blocks safe methods, and is off with csrf: false", async () => {
      const cookie = await signIn(t);
      expect((await me(t, cookie).set("Sec-Fetch-Site", "cross-site")).status).toBe(200);
      const open = buildApp({ csrf: false });
      const c2 = await signIn(open);
      expect(
        (
          await request(open.app)
            .post("/store/carts")
            .set("Cookie", c2)
            .set("Sec-Fetch-Site", "cross-site")
        ).status,
      ).toBe(200);
    });

    it("guards logout and login too", async () => {
      const cookie = await signIn(t);
      const logout = await request(t.app)
        .delete("/auth/session")
        .set("Cookie", cookie)
        .set("Sec-Fetch-Site", "cross-site");
      expect(logout.status).toBe(403);
      expect((await me(t, cookie)).status).toBe(200);
      const login = await request(t.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(t.clock)}`)
        .set("Origin", "https://evil.example");
      expect(login.status).toBe(403);
      expect(setCookie(login.headers)).toBeUndefined();
    });
  });

  describe("cookie attributes", () => {
    it("uses Secure and the __Host- prefix when secure without domain", async () => {
      const app = buildApp({ cookie: { secure: true } });
      const res = await request(app.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(app.clock)}`);
      expect(setCookie(res.headers, "__Host-bff.sid")).toMatch(
        /^__Host-bff\.sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=36000$/,
      );
    });

    it("defaults Secure on under NODE_ENV=production", async () => {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = "production";
      try {
        const app = buildApp();
        const res = await request(app.app)
          .post("/auth/session")
          .set("Authorization", `Bearer ${await signToken(app.clock)}`);
        expect(setCookie(res.headers, "__Host-bff.sid")).toContain("; Secure");
      } finally {
        process.env.NODE_ENV = previous;
      }
    });

    it("drops the prefix when a domain is set, and honours sameSite", async () => {
      const app = buildApp({ cookie: { secure: true, domain: "example.com", sameSite: "strict" } });
      const res = await request(app.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(app.clock)}`);
      expect(setCookie(res.headers, "bff.sid")).toMatch(
        /; Domain=example\.com; HttpOnly; Secure; SameSite=Strict; Max-Age=36000$/,
      );
    });
  });
});
