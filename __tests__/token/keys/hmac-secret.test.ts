import { hmacSecret } from "../../../lib/token/keys/hmac-secret.js";
import { buildApp, createClock, SECRET, signToken } from "../../helpers.js";
import request from "supertest";
import { status } from "./support.js";

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

describe("hmacSecret() as a key source", () => {
  it("accepts HS256 by default, and only the algorithms it is given", () => {
    expect(hmacSecret(SECRET).algorithms).toEqual(["HS256"]);
    expect(hmacSecret("x".repeat(64), { algorithms: ["HS384", "HS512"] }).algorithms).toEqual([
      "HS384",
      "HS512",
    ]);
  });

  it.each<[string, unknown]>([
    ["an empty list", []],
    ["an unknown algorithm", ["HS1024"]],
    ["an asymmetric one", ["ES256"]],
    ["a string", "HS256"],
  ])("refuses %s as algorithms", (_, algorithms) => {
    expect(() => hmacSecret(SECRET, { algorithms: algorithms as never })).toThrow(TypeError);
  });

  it("imports each secret once per algorithm, as CryptoKeys, first secret first", async () => {
    const keys = hmacSecret([SECRET, "second-secret-that-is-32-bytes-long"]);
    const first = await keys.getKeys({ alg: "HS256" });
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({ type: "secret", algorithm: { name: "HMAC" } });
    expect(await keys.getKeys({ alg: "HS256" })).toBe(first);
  });

  it("takes a Uint8Array secret", async () => {
    const clock = createClock(Date.now());
    const token = await signToken(clock);
    expect((await status(hmacSecret(new TextEncoder().encode(SECRET)), token)).status).toBe(200);
  });
});
