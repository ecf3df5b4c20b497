import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey as CryptoKey_,
  type JWK,
} from "jose";
import request from "supertest";
import { hmacSecret, publicKeys, remoteJwks, type KeySource } from "../../../lib/index.js";
import { buildApp, createClock, SECRET, signToken } from "../../helpers.js";

async function es256() {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    privateKey,
    publicKey,
    jwk: await exportJWK(publicKey),
    pem: await exportSPKI(publicKey),
  };
}

async function signWith(
  privateKey: CryptoKey_,
  header: Record<string, unknown> = {},
  alg = "ES256",
) {
  return new SignJWT({ actor_id: "cus_123", actor_type: "customer" })
    .setProtectedHeader({ alg, ...header })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

async function status(keys: KeySource, token: string) {
  const t = buildApp({ keys, now: Date.now }, createClock(Date.now()));
  const res = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
  return res;
}

describe("hmacSecret()", () => {
  let env: string | undefined;
  beforeEach(() => {
    env = process.env.NODE_ENV;
  });
  afterEach(() => {
    process.env.NODE_ENV = env;
    jest.restoreAllMocks();
  });

  it("refuses a secret shorter than the hash under NODE_ENV=production, saying what works", () => {
    process.env.NODE_ENV = "production";
    expect(() => hmacSecret("supersecret")).toThrow(/11 bytes; HS256 needs at least 32/);
    expect(() => hmacSecret("supersecret")).toThrow(/outside production it is accepted/);
    expect(() => hmacSecret([SECRET, "short"])).toThrow(/secret 1/);
    expect(() => hmacSecret(SECRET, { algorithms: ["HS512"] })).toThrow(/HS512 needs at least 64/);
  });

  it("accepts Medusa's development default outside production, with a warning", async () => {
    process.env.NODE_ENV = "development";
    const warn = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
    const keys = hmacSecret("supersecret");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![1]).toMatchObject({ code: "BFF_SESSION_WEAK_SECRET" });
    const clock = createClock(Date.now());
    const token = await signToken(clock, {}, { secret: "supersecret" });
    expect((await status(keys, token)).status).toBe(200);
  });

  it.each([
    [undefined, /the secret is undefined; is the environment variable \(JWT_SECRET\) set\?/],
    ["", /the secret is empty/],
    [[SECRET, undefined], /secret 1 is undefined/],
    [42, /must be a string or a Uint8Array, not number/],
  ])("names what was given: %p", (secret, message) => {
    expect(() => hmacSecret(secret as never)).toThrow(message);
  });

  it("refuses an empty list", () => {
    expect(() => hmacSecret([])).toThrow(TypeError);
  });

  it("tries each secret in turn, as during a rotation, and refuses a token none of them signed", async () => {
    const clock = createClock(Date.now());
    const next = "n".repeat(32);
    const keys = hmacSecret([next, SECRET]);
    const signedWith = async (secret: string) =>
      (await status(keys, await signToken(clock, {}, { secret }))).status;
    expect(await signedWith(next)).toBe(200);
    expect(await signedWith(SECRET)).toBe(200);
    expect(await signedWith("o".repeat(32))).toBe(401);
  });

  it("does not try the next secret when the token fails on something other than its signature", async () => {
    const clock = createClock(Date.now());
    const first = "n".repeat(32);
    const t = buildApp({ keys: hmacSecret([first, SECRET]), now: Date.now }, clock);
    const expired = await signToken(
      clock,
      { exp: Math.floor(Date.now() / 1000) - 3600 },
      { secret: first },
    );
    const res = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${expired}`);
    expect(res.status).toBe(401);
    // Verified with the first secret, refused as expired: tried with the second, it would have
    // been refused for its signature.
    expect(t.events).toContainEqual({ type: "token.rejected", reason: "expired" });
  });

  it("needs 64 bytes for HS512 and accepts it when configured", async () => {
    const long = "z".repeat(64);
    const clock = createClock(Date.now());
    const token = await signToken(clock, {}, { secret: long, alg: "HS512" });
    expect((await status(hmacSecret(long, { algorithms: ["HS512"] }), token)).status).toBe(200);
    expect((await status(hmacSecret(long), token)).status).toBe(401);
  });
});

describe("publicKeys()", () => {
  it("verifies with a PEM, a JWK or a KeyObject", async () => {
    const k = await es256();
    const token = await signWith(k.privateKey);
    const { createPublicKey } = await import("node:crypto");
    for (const key of [k.pem, k.jwk, createPublicKey(k.pem)]) {
      expect((await status(publicKeys([key]), token)).status).toBe(200);
    }
  });

  it("chooses the key by kid and refuses an unknown kid", async () => {
    const a = await es256();
    const b = await es256();
    const keys = publicKeys([{ ...a.jwk, kid: "a" } as JWK, { kid: "b", key: b.pem }]);
    expect((await status(keys, await signWith(b.privateKey, { kid: "b" }))).status).toBe(200);
    expect((await status(keys, await signWith(b.privateKey, { kid: "a" }))).status).toBe(401);
    expect((await status(keys, await signWith(b.privateKey, { kid: "c" }))).status).toBe(401);
  });

  it("infers the algorithm from the key and refuses others (no HS256 with the public key)", async () => {
    const k = await es256();
    const keys = publicKeys([k.pem]);
    expect(keys.algorithms).toEqual(["ES256"]);
    // The classic confusion: an HMAC token "signed" with the public key's PEM as secret.
    const forged = await new SignJWT({ actor_id: "cus_123", actor_type: "customer" })
      .setProtectedHeader({ alg: "HS256" })
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(k.pem));
    expect((await status(keys, forged)).status).toBe(401);
  });

  it("refuses non-keys and symmetric algorithms at setup", () => {
    expect(() => publicKeys([])).toThrow(TypeError);
    expect(() => publicKeys(["not a pem"])).toThrow(/key 0/);
    expect(() => publicKeys([{ kty: "oct", k: "AAAA" }])).toThrow(TypeError);
  });
});

describe("remoteJwks()", () => {
  let server: Server;
  let url: URL;
  let fetches = 0;
  let jwks: { keys: JWK[] } | "down" = { keys: [] };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      if (jwks === "down") {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = new URL(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    );
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    fetches = 0;
  });

  it("verifies against the published keys and caches them", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256", use: "sig" }] };
    const keys = remoteJwks(url);
    const token = await signWith(k.privateKey, { kid: "k1" });
    expect((await status(keys, token)).status).toBe(200);
    expect((await status(keys, token)).status).toBe(200);
    expect(fetches).toBe(1);
  });

  it("refuses a kid it does not publish with 401, refetching at most once per cooldown", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    const keys = remoteJwks(url);
    expect((await status(keys, await signWith(k.privateKey, { kid: "k1" }))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      expect(
        (await status(keys, await signWith(k.privateKey, { kid: `random-${i}` }))).status,
      ).toBe(401);
    }
    expect(fetches).toBe(1);
  });

  it("answers 500 with Retry-After (not 401) when the key set cannot be fetched", async () => {
    const k = await es256();
    jwks = "down";
    const res = await status(remoteJwks(url), await signWith(k.privateKey, { kid: "k1" }));
    expect(res.status).toBe(500);
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.body).toEqual({
      code: "unknown_error",
      message: "An unknown error occurred.",
      type: "unknown_error",
    });
  });

  it("a burst of tokens with random kids costs at most one fetch", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    const keys = remoteJwks(url);
    expect((await status(keys, await signWith(k.privateKey, { kid: "k1" }))).status).toBe(200);
    fetches = 0;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signWith(k.privateKey, { kid: `r${i}` })),
    );
    const statuses = await Promise.all(
      tokens.map(async (token) => (await status(keys, token)).status),
    );
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(fetches).toBeLessThanOrEqual(1);
  });

  it("opens the circuit after repeated failures: no more fetches, fast 500s with Retry-After", async () => {
    const k = await es256();
    jwks = "down";
    const keys = remoteJwks(url, { failureThreshold: 3, openDuration: 60_000 });
    const token = await signWith(k.privateKey, { kid: "k1" });
    for (let i = 0; i < 3; i++) expect((await status(keys, token)).status).toBe(500);
    expect(fetches).toBe(3);
    const res = await status(keys, token);
    expect(res.status).toBe(500);
    expect(res.headers["retry-after"]).toBe("60");
    expect(fetches).toBe(3);
  });

  it("tries again once the circuit's open period is over", async () => {
    const k = await es256();
    jwks = "down";
    const keys = remoteJwks(url, { failureThreshold: 1, openDuration: 30 });
    const token = await signWith(k.privateKey, { kid: "k1" });
    expect((await status(keys, token)).status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 40));
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    expect((await status(keys, token)).status).toBe(200);
  });

  it("keeps verifying with the last good key set while fetching fails (stale-if-error)", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    // cacheMaxAge 0: every call wants a fresh fetch, so each one meets the outage.
    const keys = remoteJwks(url, { cacheMaxAge: 0, staleIfError: 60_000 });
    const token = await signWith(k.privateKey, { kid: "k1" });
    expect((await status(keys, token)).status).toBe(200);
    jwks = "down";
    for (let i = 0; i < 5; i++) expect((await status(keys, token)).status).toBe(200);
    const forged = await signWith((await es256()).privateKey, { kid: "k1" });
    expect((await status(keys, forged)).status).toBe(401);
  });

  it("stops using the stale key set after staleIfError", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    const keys = remoteJwks(url, { cacheMaxAge: 0, staleIfError: 20 });
    const token = await signWith(k.privateKey, { kid: "k1" });
    expect((await status(keys, token)).status).toBe(200);
    jwks = "down";
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await status(keys, token)).status).toBe(500);
  });

  it("refuses a URL string and symmetric algorithms at setup", () => {
    expect(() => remoteJwks("https://x" as unknown as URL)).toThrow(TypeError);
    expect(() => remoteJwks(url, { algorithms: ["HS256"] })).toThrow(TypeError);
  });
});

describe("a KeySource of the user's own", () => {
  it("works and is asked only for algorithms it declares", async () => {
    const k = await es256();
    const getKeys = jest.fn(() => [k.publicKey]);
    const own: KeySource = { algorithms: ["ES256"], getKeys };
    expect((await status(own, await signWith(k.privateKey, { kid: "x" }))).status).toBe(200);
    expect(getKeys).toHaveBeenCalledWith(expect.objectContaining({ alg: "ES256", kid: "x" }));
    const hs = await signToken(createClock(Date.now()));
    expect((await status(own, hs)).status).toBe(401);
    expect(getKeys).toHaveBeenCalledTimes(1);
  });

  it("a key that does not fit the token's algorithm (jose's TypeError) refuses the token (401)", async () => {
    const ec = await es256();
    const { privateKey } = await generateKeyPair("RS256");
    const own: KeySource = { algorithms: ["RS256", "ES256"], getKeys: () => [ec.publicKey] };
    const token = await signWith(privateKey, {}, "RS256");
    const t = buildApp({ keys: own, now: Date.now }, createClock(Date.now()));
    const res = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(t.events).toEqual([{ type: "token.rejected", reason: "invalid" }]);
  });

  it("a key source that throws an ordinary error refuses the token (401), never a 500", async () => {
    const k = await es256();
    const own: KeySource = {
      algorithms: ["ES256"],
      getKeys() {
        throw new Error("kid lookup failed");
      },
    };
    expect((await status(own, await signWith(k.privateKey))).status).toBe(401);
  });
});
