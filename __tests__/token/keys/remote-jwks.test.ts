import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "jose";
import { KeySourceUnavailableError } from "../../../lib/errors/errors.js";
import { remoteJwks } from "../../../lib/token/keys/remote-jwks.js";
import { es256, signWith, status } from "./support.js";

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
  // The circuit and the stale copy go by Date.now(): moved on by hand, never waited for.
  const realNow = Date.now;
  let offset = 0;
  const later = (ms: number) => void (offset += ms);
  beforeEach(() => {
    fetches = 0;
    offset = 0;
    jest.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  });
  afterEach(() => jest.restoreAllMocks());

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
    later(40);
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
    later(30);
    expect((await status(keys, token)).status).toBe(500);
  });

  it("refuses a URL string and symmetric algorithms at setup", () => {
    expect(() => remoteJwks("https://x" as unknown as URL)).toThrow(TypeError);
    expect(() => remoteJwks(url, { algorithms: ["HS256"] })).toThrow(TypeError);
  });

  it.each(["failureThreshold", "openDuration", "staleIfError"])(
    "refuses a negative or non-finite %s at setup",
    (name) => {
      expect(() => remoteJwks(url, { [name]: -1 })).toThrow(TypeError);
      expect(() => remoteJwks(url, { [name]: Number.NaN })).toThrow(TypeError);
      expect(() => remoteJwks(url, { [name]: 0 })).not.toThrow();
    },
  );

  it("getKeys: no keys for an unknown kid; KeySourceUnavailableError with Retry-After when down", async () => {
    const k = await es256();
    jwks = { keys: [{ ...k.jwk, kid: "k1", alg: "ES256" }] };
    const keys = remoteJwks(url, { openDuration: 12_500 });
    await expect(keys.getKeys({ alg: "ES256", kid: "k1" })).resolves.toHaveLength(1);
    await expect(keys.getKeys({ alg: "ES256", kid: "nope" })).resolves.toEqual([]);
    jwks = "down";
    const down = remoteJwks(url, { openDuration: 12_500 });
    const error = await Promise.resolve(down.getKeys({ alg: "ES256", kid: "k1" })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeySourceUnavailableError);
    expect(error).toMatchObject({ code: "BFF_KEYS_UNAVAILABLE", retryAfter: 13 });
  });

  it("hands every key that matches a header without kid (several candidates)", async () => {
    const a = await es256();
    const b = await es256();
    jwks = {
      keys: [
        { ...a.jwk, alg: "ES256" },
        { ...b.jwk, alg: "ES256" },
      ],
    };
    await expect(remoteJwks(url).getKeys({ alg: "ES256" })).resolves.toHaveLength(2);
  });
});
