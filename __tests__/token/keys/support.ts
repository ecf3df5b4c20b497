import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey as CryptoKey_,
} from "jose";
import request from "supertest";
import type { KeySource } from "../../../lib/index.js";
import { buildApp, createClock } from "../../helpers.js";

/** An ES256 key pair, with the public key as JWK and as PEM. */
export async function es256() {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    privateKey,
    publicKey,
    jwk: await exportJWK(publicKey),
    pem: await exportSPKI(publicKey),
  };
}

/** A customer token signed with `privateKey`, valid for an hour. */
export async function signWith(
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

/** POST /auth/session with `token` on a router that verifies with `keys`. */
export async function status(keys: KeySource, token: string) {
  const t = buildApp({ keys, now: Date.now }, createClock(Date.now()));
  return request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
}
