import { createPublicKey, KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { asymmetricAlgorithms, type KeySource, type VerifyKey } from "./key-source.js";

/**
 * A public key: PEM (SPKI or certificate), a JWK, or a KeyObject, optionally with its `kid`.
 *
 * @example
 * ```ts
 * publicKeys([pemString, { kid: "2026-11", key: jwk }, keyObject]);
 * ```
 */
export type PublicKeyInput =
  string | JWK | KeyObject | { kid: string; key: string | JWK | KeyObject };

/**
 * Options of {@link publicKeys}.
 *
 * @example
 * ```ts
 * publicKeys([rsaPem], { algorithms: ["RS256", "PS256"] });
 * ```
 */
export interface PublicKeysOptions {
  /**
   * Accepted algorithms. Default: the one each key implies (RSA → RS256, EC P-256 → ES256,
   * P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA).
   */
  algorithms?: readonly string[];
}

interface Entry {
  kid: string | undefined;
  key: KeyObject;
}

/**
 * Verifies tokens signed by an identity service whose public keys you hold. Keys with a `kid`
 * are chosen by the token's `kid`; without one, every key is tried.
 *
 * @example
 * ```ts
 * createSessionRouter({ keys: publicKeys([fs.readFileSync("auth-public.pem", "utf8")]), customers });
 * ```
 */
export function publicKeys(
  keys: readonly PublicKeyInput[],
  options: PublicKeysOptions = {},
): KeySource {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new TypeError("publicKeys: at least one key is required");
  }
  const entries: Entry[] = keys.map((input, i) => toEntry(input, i));
  const algorithms = asymmetricAlgorithms(
    "publicKeys",
    options.algorithms ?? [...new Set(entries.map((e) => impliedAlgorithm(e.key)))],
  );
  const all: readonly VerifyKey[] = Object.freeze(entries.map((e) => e.key));
  const withKid = new Map<string, VerifyKey[]>();
  for (const { kid, key } of entries) {
    if (kid !== undefined) withKid.set(kid, [...(withKid.get(kid) ?? []), key]);
  }

  return Object.freeze({
    algorithms,
    getKeys(header): readonly VerifyKey[] {
      // `kid` is an opaque lookup key (RFC 7515 §4.1.4): compared, never interpreted.
      if (typeof header.kid === "string" && withKid.size > 0) return withKid.get(header.kid) ?? [];
      return all;
    },
  } satisfies KeySource);
}

function toEntry(input: PublicKeyInput, index: number): Entry {
  let kid: string | undefined;
  let material: string | JWK | KeyObject = input as string | JWK | KeyObject;
  if (
    typeof input === "object" &&
    input !== null &&
    !(input instanceof KeyObject) &&
    "key" in input
  ) {
    kid = input.kid;
    material = input.key;
  } else if (typeof input === "object" && input !== null && !(input instanceof KeyObject)) {
    kid = (input as JWK).kid;
  }
  let key: KeyObject;
  try {
    if (material instanceof KeyObject)
      key = material.type === "private" ? createPublicKey(material) : material;
    else if (typeof material === "string") key = createPublicKey(material);
    else key = createPublicKey({ key: stripPrivate(material), format: "jwk" });
  } catch (cause) {
    throw new TypeError(`publicKeys: key ${index} is not a public key (PEM, JWK or KeyObject)`, {
      cause,
    });
  }
  if (key.type !== "public")
    throw new TypeError(`publicKeys: key ${index} is not an asymmetric key`);
  return { kid, key };
}

// A JWK with private members still names a public key; never keep the private part around.
function stripPrivate(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e } = jwk;
  return Object.fromEntries(
    Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined),
  ) as JWK;
}

function impliedAlgorithm(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === "rsa") return "RS256";
  if (type === "rsa-pss") return "PS256";
  if (type === "ed25519") return "EdDSA";
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return "ES256";
    if (curve === "secp384r1") return "ES384";
    if (curve === "secp521r1") return "ES512";
  }
  throw new TypeError(`publicKeys: cannot tell the algorithm of a ${type} key; pass "algorithms"`);
}
