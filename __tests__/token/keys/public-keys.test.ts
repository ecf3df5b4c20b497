import { SignJWT, type JWK } from "jose";
import { publicKeys } from "../../../lib/token/keys/public-keys.js";
import { es256, signWith, status } from "./support.js";

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
