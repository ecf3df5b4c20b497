/**
 * Property-based fuzzing (fast-check) of what a client controls: the Authorization and Cookie
 * headers and the token's header and payload JSON. Properties: never a 5xx (no store fault is
 * injected here, so none is documented), and never an authentication without a valid token or
 * a live session.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { base64url } from "jose";
import request from "supertest";
import { buildApp, cookiePair, SECRET, setCookie, signToken, type TestApp } from "./helpers.js";

const RUNS = 150;
// Header values a client can actually send: visible ASCII, space and tab.
const headerChar = fc.constantFrom(
  ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=;, \t\"'%+/:$".split(""),
);
const headerValue = (max: number) => fc.string({ unit: headerChar, maxLength: max });

function sign(header: unknown, payload: unknown): string {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

describe("fuzzing", () => {
  let t: TestApp;
  beforeAll(() => {
    t = buildApp();
  });

  it("random Authorization headers never log anyone in and never cause a 5xx", async () => {
    const real = await signToken(t.clock);
    const [h, p] = real.split(".");
    const authorization = fc.oneof(
      headerValue(200),
      headerValue(120).map((s) => `Bearer ${s}`),
      fc.tuple(headerValue(40), headerValue(40)).map(([a, b]) => `Bearer ${h}.${a}.${b}`),
      headerValue(60).map((s) => `Bearer ${h}.${p}.${s}`),
    );
    await fc.assert(
      fc.asyncProperty(authorization, async (value) => {
        const before = t.store.count("set");
        const res = await request(t.app).post("/auth/session").set("Authorization", value.trim());
        expect(res.status).toBe(401);
        expect(setCookie(res.headers)).toBeUndefined();
        expect(t.store.count("set")).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("random Cookie headers never authenticate without the live session's cookie", async () => {
    const login = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    const real = cookiePair(setCookie(login.headers)).split("=")[1]!;
    const cookie = fc.oneof(
      headerValue(300),
      headerValue(60).map((s) => `bff.sid=${s}`),
      fc.tuple(headerValue(20), headerValue(20)).map(([a, b]) => `${a}; bff.sid=${b}`),
      fc.nat({ max: 42 }).map((n) => `bff.sid=${real.slice(0, n)}${"A".repeat(43 - n).slice(1)}`),
      fc
        .string({
          unit: fc.constantFrom(
            ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".split(""),
          ),
          minLength: 43,
          maxLength: 43,
        })
        .map((s) => `bff.sid=${s}`),
    );
    await fc.assert(
      fc.asyncProperty(cookie, async (value) => {
        fc.pre(!value.includes(real));
        const res = await request(t.app).get("/store/customers/me").set("Cookie", value);
        expect(res.status).toBe(401);
      }),
      { numRuns: RUNS },
    );
    expect(
      (await request(t.app).get("/store/customers/me").set("Cookie", `bff.sid=${real}`)).status,
    ).toBe(200);
  });

  it("validly signed tokens with arbitrary header and payload JSON log in only when the policy holds", async () => {
    const now = t.clock.seconds();
    const claimValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    // Good values are weighted up so that both logins and refusals are common.
    const likely = <T>(good: T, other: fc.Arbitrary<unknown>) =>
      fc.oneof({ weight: 4, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: other });
    const header = fc.record(
      {
        alg: likely(
          "HS256",
          fc.oneof(
            fc.constantFrom("none", "HS512", "RS256", "hs256"),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        ),
        typ: claimValue,
        kid: claimValue,
        crit: claimValue,
        b64: claimValue,
      },
      { requiredKeys: ["alg"] },
    );
    const payload = fc.record(
      {
        actor_id: likely("cus_123", fc.oneof(fc.constant(""), claimValue)),
        actor_type: likely("customer", claimValue),
        exp: likely(
          now + 600,
          fc.oneof(fc.integer({ min: now - 100, max: now + 100 }), claimValue),
        ),
        nbf: fc.oneof(fc.integer({ min: now - 100, max: now + 100 }), claimValue),
        iat: fc.oneof(fc.integer({ min: now - 100, max: now + 100 }), claimValue),
      },
      { requiredKeys: ["actor_id", "actor_type", "exp"] },
    );
    const jsonShape = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(header, payload) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })),
      },
    );

    const seen = { logins: 0, refusals: 0 };
    await fc.assert(
      fc.asyncProperty(jsonShape, async ([h, p]) => {
        const before = t.store.count("set");
        const res = await request(t.app)
          .post("/auth/session")
          .set("Authorization", `Bearer ${sign(h, p)}`);
        expect(res.status).toBeLessThan(500);
        const hd = h as Record<string, unknown> | null;
        const pl = p as Record<string, unknown> | null;
        if (res.status === 200) {
          // The oracle: only a token that satisfies every rule may log in.
          expect(hd?.alg).toBe("HS256");
          expect(hd?.b64 === undefined || hd.b64 === true).toBe(true);
          expect(pl?.actor_type).toBe("customer");
          expect(pl?.actor_id).toBe("cus_123");
          expect(typeof pl?.exp).toBe("number");
          expect(pl!.exp as number).toBeGreaterThan(now);
          expect(pl?.nbf === undefined || (typeof pl.nbf === "number" && pl.nbf <= now)).toBe(true);
          expect(t.store.count("set")).toBe(before + 1);
          seen.logins++;
        } else {
          seen.refusals++;
          expect([401, 404]).toContain(res.status);
          expect(setCookie(res.headers)).toBeUndefined();
          expect(t.store.count("set")).toBe(before);
        }
      }),
      { numRuns: RUNS * 2 },
    );
    // Both sides of the oracle were exercised, so the property is not vacuous.
    expect(seen.logins).toBeGreaterThan(0);
    expect(seen.refusals).toBeGreaterThan(0);
  });
});
