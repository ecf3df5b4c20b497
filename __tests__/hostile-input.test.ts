/**
 * Hostile input, case by case. Every case asserts the exact status and body, and that no
 * session was created (the store was never written, no session cookie was set).
 */
import { createHash } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair, exportJWK, SignJWT, base64url } from "jose";
import request from "supertest";
import { StoreApiError } from "../lib/index.js";
import {
  buildApp,
  cookiePair,
  SECRET,
  setCookie,
  signToken,
  type TestApp,
  START,
} from "./helpers.js";

const UNAUTHORIZED = { status: 401, text: "Unauthorized" } as const;
const FORBIDDEN = {
  status: 403,
  // The message says which check refused; the test of each check is in authenticate.test.ts.
  body: { message: expect.stringMatching(/^Cross-site request refused: .+\.$/), type: "forbidden" },
} as const;
const STORE_FAILED = {
  status: 500,
  body: {
    code: "api_error",
    message: "The session could not be read or written.",
    type: "database_error",
  },
} as const;

type Expected = { status: number; text?: string; body?: object };

function check(
  res: { status: number; text: string; body: unknown; headers: Record<string, unknown> },
  t: TestApp,
  expected: Expected,
) {
  expect(res.status).toBe(expected.status);
  if (expected.text !== undefined) expect(res.text).toBe(expected.text);
  if (expected.body !== undefined) expect(res.body).toEqual(expected.body);
  expect(t.store.count("set")).toBe(0);
  const cookie = setCookie(res.headers);
  if (cookie !== undefined) expect(cookie).toMatch(/Max-Age=0/);
}

/** Signs an arbitrary header and payload with the test secret (HS256 unless the header says otherwise). */
async function raw(header: object, payload: object, secret = SECRET): Promise<string> {
  const enc = (v: object) => base64url.encode(JSON.stringify(v));
  const input = `${enc(header)}.${enc(payload)}`;
  const { createHmac } = await import("node:crypto");
  const sig = createHmac("sha256", secret).update(input).digest("base64url");
  return `${input}.${sig}`;
}

const post = (t: TestApp, authorization?: string) => {
  const req = request(t.app).post("/auth/session");
  return authorization === undefined ? req : req.set("Authorization", authorization);
};

/** A request with headers sent exactly as given (repeated headers included). */
function rawHttp(
  t: TestApp,
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
) {
  return new Promise<{
    status: number;
    text: string;
    body: unknown;
    headers: Record<string, unknown>;
  }>((resolve, reject) => {
    const server = t.app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      const req = httpRequest({ host: "127.0.0.1", port, method, path }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          server.close();
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({
            status: res.statusCode!,
            text,
            body,
            headers: res.headers as Record<string, unknown>,
          });
        });
      });
      for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
      req.on("error", reject);
      req.end();
    });
  });
}

describe("hostile input", () => {
  let t: TestApp;
  beforeEach(() => {
    t = buildApp({ token: { clockTolerance: 5 } });
  });
  const now = () => t.clock.seconds();
  const good = (claims: object = {}) => ({
    actor_id: "cus_123",
    actor_type: "customer",
    iat: now(),
    exp: now() + 600,
    ...claims,
  });

  describe("Authorization header forms", () => {
    const cases: Array<[string, (t: TestApp) => Promise<string | undefined>]> = [
      ["scheme only", async () => "Bearer"],
      ["another scheme", async () => `Token ${await signToken(t.clock)}`],
      ["Basic", async () => "Basic Y3VzXzEyMzpwYXNz"],
      ["tab separator", async () => `Bearer\t${await signToken(t.clock)}`],
      ["comma-joined credentials", async () => `Bearer ${await signToken(t.clock)}, Basic eA==`],
      ["two tokens", async () => `Bearer ${await signToken(t.clock)} ${await signToken(t.clock)}`],
      ["token with a quote", async () => `Bearer "${await signToken(t.clock)}"`],
      ["leading garbage", async () => `xBearer ${await signToken(t.clock)}`],
      ["empty", async () => ""],
    ];
    it.each(cases)("%s → 401", async (_name, make) => {
      check(await post(t, await make(t)), t, UNAUTHORIZED);
    });

    it("a repeated Authorization header → 401, whichever comes first", async () => {
      const token = await signToken(t.clock);
      check(
        await rawHttp(t, "POST", "/auth/session", {
          Authorization: [`Bearer ${token}`, "Bearer x.y.z"],
        }),
        t,
        UNAUTHORIZED,
      );
      check(
        await rawHttp(t, "POST", "/auth/session", {
          Authorization: ["Bearer x.y.z", `Bearer ${token}`],
        }),
        t,
        UNAUTHORIZED,
      );
    });

    it("scheme case and extra spaces are tolerated (RFC 7235), and log in", async () => {
      const token = await signToken(t.clock);
      expect((await post(t, `bearer ${token}`)).status).toBe(200);
      expect((await post(t, `BEARER  ${token}`)).status).toBe(200);
    });
  });

  describe("token encoding", () => {
    const cases: Array<[string, () => Promise<string>]> = [
      ["two segments", async () => (await signToken(t.clock)).split(".").slice(0, 2).join(".")],
      ["four segments", async () => `${await signToken(t.clock)}.AAAA`],
      [
        "standard base64 alphabet",
        async () => (await signToken(t.clock)).replace(/-/g, "+").replace(/_/g, "/") + "+/",
      ],
      ["padding", async () => `${await signToken(t.clock)}==`],
      ["non-ASCII", async () => `${await signToken(t.clock)}é`],
      [
        "header not JSON",
        async () => `${base64url.encode("not json")}.${base64url.encode("{}")}.AAAA`,
      ],
      ["header a JSON array", async () => raw([] as unknown as object, good())],
      ["payload a JSON array", async () => raw({ alg: "HS256" }, [1, 2] as unknown as object)],
      ["payload a JSON string", async () => raw({ alg: "HS256" }, "cus_123" as unknown as object)],
      [
        "payload not JSON",
        async () => {
          const h = base64url.encode(JSON.stringify({ alg: "HS256" }));
          const p = base64url.encode("actor_id=cus_123");
          const { createHmac } = await import("node:crypto");
          return `${h}.${p}.${createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")}`;
        },
      ],
      [
        "UTF-8 overlong bytes in payload",
        async () => {
          const h = base64url.encode(JSON.stringify({ alg: "HS256" }));
          const p = base64url.encode(new Uint8Array([0x7b, 0xc0, 0xaf, 0x7d]));
          const { createHmac } = await import("node:crypto");
          return `${h}.${p}.${createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")}`;
        },
      ],
    ];
    it.each(cases)("%s → 401", async (_name, make) => {
      check(await post(t, `Bearer ${await make()}`), t, UNAUTHORIZED);
    });

    it("UTF-8 claims that are well-formed are fine", async () => {
      const res = await post(
        t,
        `Bearer ${await raw({ alg: "HS256" }, good({ name: "Jürgen 🛒" }))}`,
      );
      expect(res.status).toBe(200);
    });
  });

  describe("header abuse", () => {
    const cases: Array<[string, () => Promise<string>]> = [
      [
        "alg none",
        async () => `${(await raw({ alg: "none" }, good())).split(".").slice(0, 2).join(".")}.`,
      ],
      ["alg None with a signature", async () => raw({ alg: "None" }, good())],
      ["alg NONE", async () => raw({ alg: "NONE" }, good())],
      ["alg missing", async () => raw({ typ: "JWT" }, good())],
      ["alg not a string", async () => raw({ alg: ["HS256"] }, good())],
      ["alg HS512 (not configured)", async () => raw({ alg: "HS512" }, good())],
      ["alg RS256 (alg confusion)", async () => raw({ alg: "RS256" }, good())],
      ["kid of 2000 characters", async () => raw({ alg: "HS256", kid: "k".repeat(2000) }, good())],
      ["kid a number", async () => raw({ alg: "HS256", kid: 7 }, good())],
      [
        "crit naming an unknown header",
        async () => raw({ alg: "HS256", crit: ["x-custom"], "x-custom": 1 }, good()),
      ],
      ["crit empty", async () => raw({ alg: "HS256", crit: [] }, good())],
      ["b64 false", async () => raw({ alg: "HS256", b64: false, crit: ["b64"] }, good())],
      ["b64 false without crit", async () => raw({ alg: "HS256", b64: false }, good())],
    ];
    it.each(cases)("%s → 401", async (_name, make) => {
      check(await post(t, `Bearer ${await make()}`), t, UNAUTHORIZED);
    });

    it("an embedded jwk with the attacker's own key is never trusted", async () => {
      const { privateKey, publicKey } = await generateKeyPair("ES256");
      const token = await new SignJWT(good())
        .setProtectedHeader({ alg: "ES256", jwk: await exportJWK(publicKey) })
        .sign(privateKey);
      check(await post(t, `Bearer ${token}`), t, UNAUTHORIZED);
    });

    it.each(["jku", "x5u"])("a %s URL is never fetched", async (name) => {
      let hits = 0;
      const trap = createServer((_req, res) => {
        hits++;
        res.end('{"keys":[]}');
      });
      await new Promise<void>((resolve) => trap.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/keys`;
      const { privateKey } = await generateKeyPair("ES256");
      const token = await new SignJWT(good())
        .setProtectedHeader({ alg: "ES256", [name]: url })
        .sign(privateKey);
      check(await post(t, `Bearer ${token}`), t, UNAUTHORIZED);
      await new Promise((resolve) => trap.close(resolve));
      expect(hits).toBe(0);
    });

    it("an x5c chain is never trusted", async () => {
      const token = await raw(
        { alg: "HS256", x5c: ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"] },
        good(),
        "attacker-secret-of-at-least-32-bytes!!",
      );
      check(await post(t, `Bearer ${token}`), t, UNAUTHORIZED);
    });

    it("a kid of 1000 characters is just an opaque key: accepted", async () => {
      expect(
        (await post(t, `Bearer ${await raw({ alg: "HS256", kid: "k".repeat(1000) }, good())}`))
          .status,
      ).toBe(200);
    });
  });

  describe("claims", () => {
    const cases: Array<[string, () => object, Expected]> = [
      ["exp exactly at now − tolerance", () => good({ exp: now() - 5 }), UNAUTHORIZED],
      ["exp a string", () => good({ exp: String(now() + 600) }), UNAUTHORIZED],
      ["exp null", () => good({ exp: null }), UNAUTHORIZED],
      ["exp missing", () => ({ actor_id: "cus_123", actor_type: "customer" }), UNAUTHORIZED],
      ["nbf beyond tolerance", () => good({ nbf: now() + 6 }), UNAUTHORIZED],
      ["nbf a string", () => good({ nbf: "0" }), UNAUTHORIZED],
      ["iat a string", () => good({ iat: "now" }), UNAUTHORIZED],
      ["actor_id a number", () => good({ actor_id: 123 }), UNAUTHORIZED],
      ["actor_id an object", () => good({ actor_id: { $ne: null } }), UNAUTHORIZED],
      ["actor_id an array", () => good({ actor_id: ["cus_123"] }), UNAUTHORIZED],
      ["actor_id empty", () => good({ actor_id: "" }), UNAUTHORIZED],
      ["actor_id of 300 characters", () => good({ actor_id: "c".repeat(300) }), UNAUTHORIZED],
      ["actor_type Customer (case)", () => good({ actor_type: "Customer" }), UNAUTHORIZED],
      ["actor_type user", () => good({ actor_type: "user" }), UNAUTHORIZED],
      ["actor_type missing", () => ({ actor_id: "cus_123", exp: now() + 600 }), UNAUTHORIZED],
      ["actor_type an array", () => good({ actor_type: ["customer"] }), UNAUTHORIZED],
      [
        "an unknown customer",
        () => good({ actor_id: "cus_nobody" }),
        {
          status: 404,
          body: { message: "Customer with id: cus_nobody was not found", type: "not_found" },
        },
      ],
    ];
    it.each(cases)("%s", async (_name, payload, expected) => {
      check(await post(t, `Bearer ${await raw({ alg: "HS256" }, payload())}`), t, expected);
    });

    it.each([
      ["exp within the tolerance", () => good({ exp: now() - 4 })],
      ["nbf within the tolerance", () => good({ nbf: now() + 4 })],
    ])("%s is accepted", async (_name, payload) => {
      expect((await post(t, `Bearer ${await raw({ alg: "HS256" }, payload())}`)).status).toBe(200);
    });

    it("iss, aud and typ are enforced when configured", async () => {
      const strict = buildApp({
        token: { issuer: "https://auth.test", audience: "shop", typ: "JWT" },
      });
      const p = (claims: object) => ({
        actor_id: "cus_123",
        actor_type: "customer",
        exp: strict.clock.seconds() + 60,
        ...claims,
      });
      for (const [header, payload] of [
        [{ alg: "HS256", typ: "JWT" }, p({ iss: "https://evil.test", aud: "shop" })],
        [{ alg: "HS256", typ: "JWT" }, p({ iss: "https://auth.test", aud: "other" })],
        [{ alg: "HS256", typ: "JWT" }, p({ iss: ["https://auth.test"], aud: "shop" })],
        [{ alg: "HS256", typ: "at+jwt" }, p({ iss: "https://auth.test", aud: "shop" })],
        [{ alg: "HS256" }, p({ iss: "https://auth.test", aud: "shop" })],
      ] as const) {
        check(await post(strict, `Bearer ${await raw(header, payload)}`), strict, UNAUTHORIZED);
      }
      expect(
        (
          await post(
            strict,
            `Bearer ${await raw({ alg: "HS256", typ: "JWT" }, p({ iss: "https://auth.test", aud: ["shop", "x"] }))}`,
          )
        ).status,
      ).toBe(200);
    });
  });

  describe("cookies", () => {
    async function signedIn(app = t) {
      const res = await post(app, `Bearer ${await signToken(app.clock)}`);
      const cookie = cookiePair(setCookie(res.headers));
      app.store.calls.length = 0;
      return cookie;
    }
    const me = (cookie: string, app = t) =>
      request(app.app).get("/store/customers/me").set("Cookie", cookie);

    it.each([
      ["duplicate, real first", (c: string) => `${c}; bff.sid=${"Z".repeat(43)}`],
      ["duplicate, real last", (c: string) => `bff.sid=${"Z".repeat(43)}; ${c}`],
      ["duplicate of the same value", (c: string) => `${c}; ${c}`],
      ["__proto__ name", () => "__proto__=aaaa; constructor=bbbb; hasOwnProperty=cccc"],
      ["percent-encoded name", (c: string) => c.replace("bff.sid", "bff%2Esid")],
      [
        "percent-encoded value",
        (c: string) =>
          `bff.sid=${encodeURIComponent(c.split("=")[1]!).replace(/[A-Z]/, (m) => `%${m.charCodeAt(0).toString(16)}`)}`,
      ],
      ["4 KiB value", () => `bff.sid=${"A".repeat(4096)}`],
      [
        "value with a control character (tab)",
        () => `bff.sid=${"A".repeat(21)}\t${"A".repeat(21)}`,
      ],
      ["comma-separated (RFC 2965 style)", (c: string) => `${c}, other=1`],
    ])("%s → 401 without authenticating", async (_name, make) => {
      const cookie = await signedIn();
      const res = await me(make(cookie));
      check(res, t, UNAUTHORIZED);
    });

    it.each([
      [
        "unsigned value",
        (c: string) => `bff.sid=${decodeURIComponent(c.split("=")[1]!).slice(2, 45)}`,
      ],
      [
        "signature of another secret",
        (c: string) => c.replace(/\.[^.]+$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
      ],
      ["signature truncated", (c: string) => c.slice(0, -5)],
      ["broken percent-encoding", () => "bff.sid=s%3A%E0%A4%A"],
    ])("signed cookies: %s → 401", async (_name, make) => {
      const signed = buildApp({ cookie: { secret: "a-cookie-secret-of-32-characters!!" } });
      const cookie = await signedIn(signed);
      check(await me(make(cookie), signed), signed, UNAUTHORIZED);
      expect(signed.store.count("get")).toBe(0);
    });
  });

  describe("CSRF", () => {
    it.each([
      ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }, FORBIDDEN],
      ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }, FORBIDDEN],
      ["a foreign Origin", { Origin: "https://evil.example" }, FORBIDDEN],
      ["Origin null (sandboxed iframe)", { Origin: "null" }, FORBIDDEN],
      [
        "Origin differing only in scheme",
        { Origin: "https://shop.test", Host: "shop.test" },
        FORBIDDEN,
      ],
      [
        "Origin differing only in port",
        { Origin: "http://shop.test:8080", Host: "shop.test" },
        FORBIDDEN,
      ],
    ])("a login with %s → 403, no session", async (_name, headers, expected) => {
      const res = await post(t, `Bearer ${await signToken(t.clock)}`).set(headers);
      check(res, t, expected);
    });

    it("a login with neither header (a non-browser client) passes", async () => {
      expect((await post(t, `Bearer ${await signToken(t.clock)}`)).status).toBe(200);
    });
  });

  describe("session store faults", () => {
    it("a store that throws on write → documented 500, no cookie", async () => {
      jest.spyOn(t.store.inner, "set").mockRejectedValueOnce(new Error("OOM command not allowed"));
      const res = await post(t, `Bearer ${await signToken(t.clock)}`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual(STORE_FAILED.body);
      expect(setCookie(res.headers)).toBeUndefined();
    });

    it("a store that never answers → documented 500 after storeTimeout, no cookie", async () => {
      const slow = buildApp({ session: { storeTimeout: "50ms" } });
      jest.spyOn(slow.store.inner, "set").mockReturnValueOnce(new Promise(() => {}));
      const started = Date.now();
      const res = await post(slow, `Bearer ${await signToken(slow.clock)}`);
      expect(res.status).toBe(500);
      expect(res.body).toEqual(STORE_FAILED.body);
      expect(setCookie(res.headers)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(slow.events.find((e) => e.type === "store.error")).toMatchObject({ operation: "set" });
    });

    it("a store that hangs on read → documented 500, never authenticated", async () => {
      const slow = buildApp({ session: { storeTimeout: "50ms" } });
      const res = await post(slow, `Bearer ${await signToken(slow.clock)}`);
      const cookie = cookiePair(setCookie(res.headers));
      jest.spyOn(slow.store.inner, "get").mockReturnValueOnce(new Promise(() => {}));
      const me = await request(slow.app).get("/store/customers/me").set("Cookie", cookie);
      expect(me.status).toBe(500);
      expect(me.body).toEqual(STORE_FAILED.body);
    });

    // Each record is built from the real session id (`sid`), so only the named fault differs.
    const live = {
      customerId: "cus_123",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: 9e15,
      absoluteExpiresAt: 9e15,
    };
    it.each<[string, (sid: string) => unknown]>([
      ["not an object", () => "corrupted"],
      ["wrong types", (sid) => ({ ...live, sid, createdAt: "yesterday" })],
      ["no customer", (sid) => ({ ...live, sid, customerId: undefined })],
      ["past its deadlines", (sid) => ({ ...live, sid, idleExpiresAt: 1, absoluteExpiresAt: 1 })],
      ["another key's record (hash mismatch)", () => ({ ...live, sid: "B".repeat(43) })],
      ["no key in the record", () => ({ ...live })],
    ])("a corrupted record (%s) → 401, never authenticated, deleted", async (_name, record) => {
      const res = await post(t, `Bearer ${await signToken(t.clock)}`);
      const cookie = cookiePair(setCookie(res.headers));
      const sid = createHash("sha256").update(cookie.split("=")[1]!).digest("base64url");
      jest.spyOn(t.store.inner, "get").mockResolvedValueOnce(record(sid) as never);
      const me = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
      expect(me.status).toBe(401);
      expect(me.text).toBe("Unauthorized");
      expect(await t.store.inner.get(sid)).toBeNull();
    });

    it("control: the same live record with the right key authenticates", async () => {
      const res = await post(t, `Bearer ${await signToken(t.clock)}`);
      const cookie = cookiePair(setCookie(res.headers));
      const sid = createHash("sha256").update(cookie.split("=")[1]!).digest("base64url");
      jest.spyOn(t.store.inner, "get").mockResolvedValueOnce({ ...live, sid } as never);
      expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
        200,
      );
    });

    it("a customer store failure leaves no session behind", async () => {
      t.retrieve.mockRejectedValueOnce(
        new StoreApiError("database_error", "Customers are unavailable."),
      );
      check(await post(t, `Bearer ${await signToken(t.clock)}`), t, {
        status: 500,
        body: { code: "api_error", message: "Customers are unavailable.", type: "database_error" },
      });
    });
  });
});
