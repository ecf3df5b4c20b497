import type { JWSHeaderParameters, KeyInput } from "jose";

/**
 * A key jose can verify with: a CryptoKey, a KeyObject, a JWK or raw secret bytes. Import keys
 * once (CryptoKey or KeyObject): verification is much faster than with raw material.
 *
 * @example
 * ```ts
 * const key: VerifyKey = await importSPKI(pem, "ES256");
 * const keys: KeySource = { algorithms: ["ES256"], getKeys: () => [key] };
 * ```
 */
export type VerifyKey = KeyInput;

/**
 * Where the keys that verify customer tokens come from. The built-ins are {@link hmacSecret},
 * {@link publicKeys} and {@link remoteJwks}; implement it yourself for anything else (a KMS, a
 * database of tenant keys).
 *
 * @example
 * ```ts
 * const tenantKeys: KeySource = {
 *   algorithms: ["ES256"],
 *   async getKeys(header) {
 *     const key = await kms.publicKey(header.kid);
 *     return key ? [key] : [];
 *   },
 * };
 * ```
 */
export interface KeySource {
  /**
   * The JWS algorithms this source's keys are for. A token with any other `alg` is refused
   * before a key is looked up (RFC 8725 §3.1: never let the token pick the algorithm).
   */
  readonly algorithms: readonly string[];
  /**
   * The candidate keys for a token with this protected header, tried in order until one
   * verifies. An empty list refuses the token. Throw {@link KeySourceUnavailableError}-like
   * errors only for outages (they become a 500, not a 401).
   */
  getKeys(header: JWSHeaderParameters): readonly VerifyKey[] | Promise<readonly VerifyKey[]>;
}

/** True when `value` can be used as a {@link KeySource}. */
export function isKeySource(value: unknown): value is KeySource {
  if (typeof value !== "object" || value === null) return false;
  const { algorithms, getKeys } = value as Partial<KeySource>;
  return (
    Array.isArray(algorithms) &&
    algorithms.length > 0 &&
    algorithms.every((a) => typeof a === "string" && a !== "" && a.toLowerCase() !== "none") &&
    typeof getKeys === "function"
  );
}

/** The asymmetric JWS algorithms (RFC 7518, RFC 8037) jose verifies; never HMAC, never "none". */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = Object.freeze([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);

/**
 * The `algorithms` option of a public-key source, checked: a non-empty list of asymmetric
 * algorithms. Allowing an HMAC algorithm next to public keys is the classic algorithm-confusion
 * hole (the public key used as the shared secret), so it is refused outright.
 */
export function asymmetricAlgorithms(source: string, value: unknown): readonly string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((a) => !ASYMMETRIC_ALGORITHMS.includes(a))
  ) {
    throw new TypeError(
      `${source}: option "algorithms" must list asymmetric JWS algorithms (RS256, ES256, EdDSA, …)`,
    );
  }
  return Object.freeze([...(value as string[])]);
}
