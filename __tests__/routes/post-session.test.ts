import { generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import request from "supertest";
import { MemorySessionStore, StoreApiError, type SessionStore } from "../../lib/index.js";
import {
  buildApp,
  cookiePair,
  createClock,
  CUSTOMER,
  SECRET,
  setCookie,
  signToken,
  type TestApp,
} from "../helpers.js";

async function login(t: TestApp, token: string, cookie?: string) {
  const req = request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
  if (cookie !== undefined) req.set("Cookie", cookie);
  return req;
}

function expectUnauthorized(res: request.Response) {
  expect(res.status).toBe(401);
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
  expect(res.text).toBe("Unauthorized");
  // RFC 6750 §3: the bare challenge without a token, invalid_token for a refused one.
  expect(res.headers["www-authenticate"]).toMatch(/^Bearer( error="invalid_token")?$/);
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(setCookie(res.headers)).toBeUndefined();
}

describe("POST /auth/session", () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildApp();
  });

  it("exchanges a valid token for { user } and an httpOnly session cookie", async () => {
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body.user.id).toBe("cus_123");
    expect(res.body.user.email).toBe("jane@example.com");
    expect(res.body.user.addresses[0]).toMatchObject({
      id: "addr_1",
      city: "Berlin",
      province: null,
    });
    const cookie = setCookie(res.headers)!;
    expect(cookie).toMatch(
      /^bff\.sid=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=36000$/,
    );
    expect(t.retrieve).toHaveBeenCalledWith(
      "cus_123",
      expect.objectContaining({ token: expect.any(String) }),
    );
    expect(t.events.map((e) => e.type)).toEqual(["session.created"]);
  });

  it("never sends fields outside the StoreCustomer schema", async () => {
    const res = await login(t, await signToken(t.clock));
    expect(res.body.user).not.toHaveProperty("password_hash");
    expect(JSON.stringify(res.body)).not.toContain("argon2");
    expect(Object.keys(res.body.user).sort()).toEqual(
      [
        "addresses",
        "company_name",
        "created_at",
        "default_billing_address_id",
        "default_shipping_address_id",
        "deleted_at",
        "email",
        "first_name",
        "id",
        "last_name",
        "metadata",
        "phone",
        "updated_at",
      ].sort(),
    );
  });

  it("never puts the session token or the JWT in the body", async () => {
    const token = await signToken(t.clock);
    const res = await login(t, token);
    const value = cookiePair(setCookie(res.headers)).split("=")[1]!;
    expect(res.text).not.toContain(value);
    expect(res.text).not.toContain(token);
  });

  it("gives the store only the SHA-256 of the cookie token", async () => {
    const res = await login(t, await signToken(t.clock));
    const value = cookiePair(setCookie(res.headers)).split("=")[1]!;
    const seen = JSON.stringify(t.store.calls);
    expect(seen).not.toContain(value);
    const { createHash } = await import("node:crypto");
    expect(t.store.calls.find((c) => c.method === "set")!.args[0]).toBe(
      createHash("sha256").update(value).digest("base64url"),
    );
  });

  it("answers 404 in the documented shape when the customer does not exist", async () => {
    const res = await login(t, await signToken(t.clock, { actor_id: "cus_missing" }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      message: "Customer with id: cus_missing was not found",
      type: "not_found",
    });
    expect(setCookie(res.headers)).toBeUndefined();
    expect(t.store.count("set")).toBe(0);
  });

  describe.each([
    ["not_allowed", 400, (m: string) => ({ message: m, type: "not_allowed" })],
    ["invalid_data", 400, (m: string) => ({ message: m, type: "invalid_data" })],
    [
      "duplicate_error",
      422,
      (m: string) => ({ code: "invalid_request_error", message: m, type: "duplicate_error" }),
    ],
    [
      "database_error",
      500,
      (m: string) => ({ code: "api_error", message: m, type: "database_error" }),
    ],
    ["forbidden", 403, (m: string) => ({ message: m, type: "forbidden" })],
    ["unexpected_state", 500, (m: string) => ({ message: m, type: "unexpected_state" })],
  ] as const)("when the customer store throws %s", (type, status, body) => {
    it(`answers ${status} with the store's message and no session`, async () => {
      t.retrieve.mockRejectedValueOnce(new StoreApiError(type, "Store says no."));
      const res = await login(t, await signToken(t.clock));
      expect(res.status).toBe(status);
      expect(res.body).toEqual(body("Store says no."));
      expect(setCookie(res.headers)).toBeUndefined();
      expect(t.store.count("set")).toBe(0);
    });
  });

  it("answers 409 for a conflict reported by the store", async () => {
    t.retrieve.mockRejectedValueOnce(new StoreApiError("conflict", "internal detail"));
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: "unknown_error",
      message:
        "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.",
      type: "conflict",
    });
  });

  it.each([
    "QueryRunnerAlreadyReleasedError",
    "TransactionAlreadyStartedError",
    "TransactionNotStartedError",
  ])("answers 409 with type %s for an ORM transaction race", async (name) => {
    const error = new Error("pg internals");
    error.name = name;
    t.retrieve.mockRejectedValueOnce(error);
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(name);
    expect(res.body.code).toBe("unknown_error");
    expect(res.text).not.toContain("pg internals");
  });

  it("answers the generic 500 for anything unexpected, without its message or stack", async () => {
    t.retrieve.mockRejectedValueOnce(new Error("connect ECONNREFUSED 10.0.0.5:5432"));
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      code: "unknown_error",
      message: "An unknown error occurred.",
      type: "unknown_error",
    });
    expect(res.text).not.toContain("ECONNREFUSED");
  });

  it("answers 500 unexpected_state when the store returns something that is not a customer", async () => {
    t.retrieve.mockResolvedValueOnce({ email: 42 });
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("unexpected_state");
    expect(setCookie(res.headers)).toBeUndefined();
  });

  it("answers 500 database_error and sets no cookie when the session store fails", async () => {
    jest
      .spyOn(t.store.inner, "set")
      .mockRejectedValueOnce(new Error("READONLY You can't write against a read only replica."));
    const res = await login(t, await signToken(t.clock));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      code: "api_error",
      message: "The session could not be read or written.",
      type: "database_error",
    });
    expect(res.text).not.toContain("READONLY");
    expect(setCookie(res.headers)).toBeUndefined();
    expect(t.events.some((e) => e.type === "store.error")).toBe(true);
  });

  it("calls the customer store as a method, so class instances with private state work", async () => {
    class Customers {
      #rows = new Map([["cus_123", CUSTOMER]]);
      async retrieve(id: string) {
        return this.#rows.get(id) ?? null;
      }
    }
    const app = buildApp({ customers: new Customers() });
    const res = await login(app, await signToken(app.clock));
    expect(res.status).toBe(200);
  });

  describe("refuses bad tokens with a bare 401", () => {
    const cases: Array<[string, string, (t: TestApp) => Promise<request.Response>]> = [
      ["no Authorization header", "missing", async (t) => request(t.app).post("/auth/session")],
      [
        "Basic credentials",
        "malformed",
        async (t) =>
          request(t.app).post("/auth/session").set("Authorization", "Basic dXNlcjpwYXNz"),
      ],
      [
        "an empty bearer",
        "malformed",
        async (t) => request(t.app).post("/auth/session").set("Authorization", "Bearer "),
      ],
      [
        "garbage",
        "malformed",
        async (t) => request(t.app).post("/auth/session").set("Authorization", "Bearer not-a-jwt"),
      ],
      [
        "two tokens",
        "malformed",
        async (t) => {
          const a = await signToken(t.clock);
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${a} ${a}`);
        },
      ],
      [
        "alg none",
        "malformed",
        async (t) => {
          const token = new UnsecuredJWT({ actor_id: "cus_123", actor_type: "customer" })
            .setExpirationTime("1h")
            .encode();
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "a stripped signature",
        "malformed",
        async (t) => {
          const [h, p] = (await signToken(t.clock)).split(".");
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${h}.${p}.`);
        },
      ],
      [
        "a wrong secret",
        "signature",
        async (t) => {
          const token = await signToken(
            t.clock,
            {},
            { secret: "another-secret-of-at-least-32-bytes!!" },
          );
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "an expired token",
        "expired",
        async (t) => {
          const token = await signToken(t.clock, { exp: t.clock.seconds() - 1 });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "no exp",
        "claim",
        async (t) => {
          const token = await signToken(t.clock, { exp: undefined });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "a string exp",
        "claim",
        async (t) => {
          const token = await signToken(t.clock, {
            exp: String(t.clock.seconds() + 3600) as unknown as number,
          });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "a wrong actor_type",
        "actor_type",
        async (t) => {
          const token = await signToken(t.clock, { actor_type: "user" });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "an empty actor_id (identity not registered)",
        "actor_id",
        async (t) => {
          const token = await signToken(t.clock, { actor_id: "" });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "a tampered payload",
        "signature",
        async (t) => {
          const [h, , s] = (await signToken(t.clock)).split(".");
          const forged = Buffer.from(
            JSON.stringify({ actor_id: "cus_admin", actor_type: "customer", exp: 9999999999 }),
          ).toString("base64url");
          return request(t.app)
            .post("/auth/session")
            .set("Authorization", `Bearer ${h}.${forged}.${s}`);
        },
      ],
      [
        "an RS256 token against an HMAC key source",
        "algorithm",
        async (t) => {
          const { privateKey } = await generateKeyPair("RS256");
          const token = await new SignJWT({ actor_id: "cus_123", actor_type: "customer" })
            .setProtectedHeader({ alg: "RS256" })
            .setExpirationTime("1h")
            .sign(privateKey);
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "a JWE-shaped token",
        "malformed",
        async (t) =>
          request(t.app)
            .post("/auth/session")
            .set("Authorization", "Bearer eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaa.bbbb.cccc"),
      ],
      [
        "an oversized token",
        "too_large",
        async (t) => {
          const token = await signToken(t.clock, { pad: "x".repeat(9000) });
          return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
        },
      ],
      [
        "the token in the query string",
        "missing",
        async (t) => request(t.app).post(`/auth/session?token=${await signToken(t.clock)}`),
      ],
      [
        "the token in the body",
        "missing",
        async (t) =>
          request(t.app)
            .post("/auth/session")
            .send({ token: await signToken(t.clock) }),
      ],
      [
        "the token in a cookie",
        "missing",
        async (t) =>
          request(t.app)
            .post("/auth/session")
            .set("Cookie", `token=${await signToken(t.clock)}`),
      ],
    ];

    it.each(cases)("%s (reason: %s)", async (_name, reason, send) => {
      const res = await send(t);
      expectUnauthorized(res);
      expect(t.retrieve).not.toHaveBeenCalled();
      expect(t.store.count("set")).toBe(0);
      expect(t.events).toEqual([{ type: "token.rejected", reason }]);
    });

    it("control: the same helper with nothing wrong logs in", async () => {
      const res = await login(t, await signToken(t.clock));
      expect(res.status).toBe(200);
    });

    it("refuses an oversized token without parsing it", async () => {
      const res = await request(t.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${"A".repeat(8193)}`);
      expectUnauthorized(res);
      expect(t.events).toEqual([{ type: "token.rejected", reason: "too_large" }]);
    });
  });

  describe("session fixation", () => {
    it("never adopts a planted session cookie", async () => {
      const planted = "A".repeat(43);
      const res = await login(t, await signToken(t.clock), `bff.sid=${planted}`);
      expect(res.status).toBe(200);
      expect(cookiePair(setCookie(res.headers))).not.toBe(`bff.sid=${planted}`);
    });

    it("destroys the previous session when logging in again", async () => {
      const first = cookiePair(setCookie((await login(t, await signToken(t.clock))).headers));
      const second = await login(t, await signToken(t.clock), first);
      expect(second.status).toBe(200);
      const next = cookiePair(setCookie(second.headers));
      expect(next).not.toBe(first);
      expect((await request(t.app).get("/store/customers/me").set("Cookie", first)).status).toBe(
        401,
      );
      expect((await request(t.app).get("/store/customers/me").set("Cookie", next)).status).toBe(
        200,
      );
      expect(t.events.filter((e) => e.type === "session.destroyed")).toEqual([
        expect.objectContaining({ reason: "replaced" }),
      ]);
    });

    it("leaves the previous session alone when the new login fails", async () => {
      const first = cookiePair(setCookie((await login(t, await signToken(t.clock))).headers));
      const bad = await login(t, "garbage.token.here", first);
      expect(bad.status).toBe(401);
      expect((await request(t.app).get("/store/customers/me").set("Cookie", first)).status).toBe(
        200,
      );
    });
  });

  describe("token policy options", () => {
    it("checks issuer and audience when configured", async () => {
      const app = buildApp({
        token: { issuer: "https://auth.example.com", audience: "storefront" },
      });
      const wrong = await signToken(app.clock, {
        iss: "https://evil.example.com",
        aud: "storefront",
      });
      const right = await signToken(app.clock, {
        iss: "https://auth.example.com",
        aud: "storefront",
      });
      expectUnauthorized(await login(app, wrong));
      expect((await login(app, right)).status).toBe(200);
    });

    it("reads the customer id from another claim for issuers that use sub", async () => {
      const app = buildApp({ token: { customerIdClaim: "sub", actorTypeClaim: false } });
      const token = await signToken(app.clock, {
        sub: "cus_123",
        actor_id: undefined,
        actor_type: undefined,
      });
      expect((await login(app, token)).status).toBe(200);
    });

    it("pins typ when configured", async () => {
      const app = buildApp({ token: { typ: "at+jwt" } });
      expectUnauthorized(await login(app, await signToken(app.clock)));
      expect(
        (await login(app, await signToken(app.clock, {}, { header: { typ: "at+jwt" } }))).status,
      ).toBe(200);
    });

    it("accepts a token just expired within clockTolerance", async () => {
      const app = buildApp({ token: { clockTolerance: 30 } });
      const token = await signToken(app.clock, { exp: app.clock.seconds() - 10 });
      expect((await login(app, token)).status).toBe(200);
    });

    it.each([
      ["no maxTokenAge", {}],
      ["with maxTokenAge", { maxTokenAge: 3600 }],
    ])("refuses an iat in the future beyond clockTolerance (%s)", async (_name, token) => {
      const app = buildApp({ token: { ...token, clockTolerance: 30 } });
      const now = app.clock.seconds();
      const ahead = await signToken(app.clock, { iat: now + 31, exp: now + 3600 });
      expectUnauthorized(await login(app, ahead));
      expect(app.events.at(-1)).toEqual({ type: "token.rejected", reason: "not_yet_valid" });
      const withinTolerance = await signToken(app.clock, { iat: now + 30, exp: now + 3600 });
      expect((await login(app, withinTolerance)).status).toBe(200);
      const fractional = await signToken(app.clock, { iat: now + 30.5, exp: now + 3600 });
      expectUnauthorized(await login(app, fractional));
    });

    it("refuses tokens older than maxTokenAge", async () => {
      const app = buildApp({ token: { maxTokenAge: "5m" } });
      const token = await signToken(app.clock, { iat: app.clock.seconds() - 600 });
      expectUnauthorized(await login(app, token));
    });

    it("accepts any of several rotated secrets", async () => {
      const { hmacSecret } = await import("../../lib/index.js");
      const older = "the-previous-secret-still-32-bytes-long";
      const app = buildApp({ keys: hmacSecret([SECRET, older]) });
      expect((await login(app, await signToken(app.clock, {}, { secret: older }))).status).toBe(
        200,
      );
    });

    it("with singleUse, lets a token start one session only, with or without jti", async () => {
      const app = buildApp({ token: { singleUse: true } });
      // Real Medusa tokens carry no jti: their signed content identifies them.
      const noJti = await signToken(app.clock);
      expect((await login(app, noJti)).status).toBe(200);
      expectUnauthorized(await login(app, noJti));
      const token = await signToken(app.clock, { jti: "one-time-1" });
      expect((await login(app, token)).status).toBe(200);
      expectUnauthorized(await login(app, token));
      // Another token with the same jti is the same token.
      const sameJti = await signToken(
        app.clock,
        { jti: "one-time-1", actor_id: "cus_123" },
        {
          expiresIn: 7200,
        },
      );
      expectUnauthorized(await login(app, sameJti));
      expect(
        app.events
          .filter((e) => e.type === "token.rejected")
          .map((e) => (e as { reason: string }).reason),
      ).toEqual(["replayed", "replayed", "replayed"]);
    });

    it("with singleUse, a replay is refused for as long as the token is accepted (exp + clockTolerance)", async () => {
      const app = buildApp({ token: { singleUse: true, clockTolerance: 30 } });
      const token = await signToken(app.clock, {}, { expiresIn: 60 });
      expect((await login(app, token)).status).toBe(200);
      app.clock.advance(85_000); // past exp, inside the tolerance: the token is still accepted
      expectUnauthorized(await login(app, token));
      expect(app.events.at(-1)).toEqual({ type: "token.rejected", reason: "replayed" });
      app.clock.advance(10_000); // past exp + tolerance: refused as expired
      expectUnauthorized(await login(app, token));
      expect(app.events.at(-1)).toEqual({ type: "token.rejected", reason: "expired" });
    });

    it("with singleUse, a re-encoded signature is the same token", async () => {
      const app = buildApp({ token: { singleUse: true } });
      const token = await signToken(app.clock);
      // The signature's last base64url character carries two spare bits: flipping one keeps
      // the signature valid while the text differs.
      const last = token.at(-1)!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const twin = token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1]!;
      expect(twin).not.toBe(token);
      expect((await login(app, twin)).status).toBe(200);
      expectUnauthorized(await login(app, token));
      expect(app.events.at(-1)).toEqual({ type: "token.rejected", reason: "replayed" });
    });

    it("warns once when the session store does not cap sessions per customer", async () => {
      const inner = new MemorySessionStore({ sweepInterval: 0 });
      const store: SessionStore = {
        get: (id) => inner.get(id),
        set: async (id, record) => void (await inner.set(id, record)),
        touch: (id, record) => inner.touch(id, record),
        destroy: (id) => inner.destroy(id),
      };
      const warnings: unknown[] = [];
      const logger = {
        debug() {},
        error() {},
        warn: (_: object, msg?: string) => warnings.push(msg),
      };
      const app = buildApp({ sessions: store, session: { maxPerCustomer: 2 }, logger });
      for (let i = 0; i < 3; i++)
        expect((await login(app, await signToken(app.clock))).status).toBe(200);
      expect(inner.size).toBe(3);
      expect(warnings).toEqual([expect.stringMatching(/does not cap sessions per customer/)]);
    });

    it("says why in WWW-Authenticate: no error code without a token, invalid_token for a refused one", async () => {
      const app = buildApp();
      const none = await request(app.app).post("/auth/session");
      expect(none.headers["www-authenticate"]).toBe("Bearer");
      const bad = await login(app, (await signToken(app.clock)).slice(0, -3) + "AAA");
      expect(bad.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
      app.clock.advance(2 * 3600_000);
      const expired = await login(app, await signToken(createClock(app.clock.now() - 7200_000)));
      expect(expired.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    });

    it("remember me: ?remember=false gives a browser-session cookie, true or nothing a persistent one", async () => {
      const app = buildApp();
      const token = () => signToken(app.clock);
      const session = await request(app.app)
        .post("/auth/session?remember=false")
        .set("Authorization", `Bearer ${await token()}`);
      expect(setCookie(session.headers)).not.toMatch(/Max-Age/);
      const kept = await request(app.app)
        .post("/auth/session?remember=true")
        .set("Authorization", `Bearer ${await token()}`);
      expect(setCookie(kept.headers)).toMatch(/Max-Age=36000$/);
      expect(setCookie((await login(app, await token())).headers)).toMatch(/Max-Age=36000$/);
      const off = buildApp({ cookie: { persistent: false } });
      expect(setCookie((await login(off, await signToken(off.clock))).headers)).not.toMatch(
        /Max-Age/,
      );
      const asked = await request(off.app)
        .post("/auth/session?remember=true")
        .set("Authorization", `Bearer ${await signToken(off.clock)}`);
      expect(setCookie(asked.headers)).toMatch(/Max-Age=36000$/);
    });

    it("warns once when a trusted storefront on another site gets a cookie the browser will drop", async () => {
      const warnings: Array<string | undefined> = [];
      const logger = {
        debug() {},
        error() {},
        warn: (_: object, msg?: string) => warnings.push(msg),
      };
      const shop = "https://shop.example.com";
      const app = buildApp({ csrf: { trustedOrigins: [shop] }, logger });
      for (let i = 0; i < 2; i++) {
        const res = await request(app.app)
          .post("/auth/session")
          .set("Origin", shop)
          .set("Sec-Fetch-Site", "cross-site")
          .set("Authorization", `Bearer ${await signToken(app.clock)}`);
        expect(res.status).toBe(200);
      }
      expect(warnings).toEqual([
        expect.stringMatching(
          /SameSite=lax cookie there\. Set cookie: \{ sameSite: "none", secure: true \}/,
        ),
      ]);
      const fine = buildApp({
        csrf: { trustedOrigins: [shop] },
        cookie: { sameSite: "none", secure: true },
        logger,
      });
      await request(fine.app)
        .post("/auth/session")
        .set("Origin", shop)
        .set("Sec-Fetch-Site", "cross-site")
        .set("Authorization", `Bearer ${await signToken(fine.clock)}`);
      expect(warnings).toHaveLength(1);
    });

    it("refuses singleUse with a store that cannot remember token ids", () => {
      const { get, set, touch, destroy } = new MemorySessionStore();
      expect(() =>
        buildApp({ token: { singleUse: true }, sessions: { get, set, touch, destroy } }),
      ).toThrow(/token\.singleUse/);
    });
  });
});
