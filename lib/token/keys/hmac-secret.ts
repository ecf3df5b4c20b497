import { webcrypto } from "node:crypto";
import type { KeySource, VerifyKey } from "./key-source.js";

/**
 * The HMAC JWS algorithms {@link hmacSecret} can accept.
 *
 * @example
 * ```ts
 * hmacSecret(secret64Bytes, { algorithms: ["HS256", "HS512"] satisfies HmacAlgorithm[] });
 * ```
 */
export type HmacAlgorithm = "HS256" | "HS384" | "HS512";

/**
 * Options of {@link hmacSecret}.
 *
 * @example
 * ```ts
 * hmacSecret(process.env.JWT_SECRET!, { algorithms: ["HS256"] });
 * ```
 */
export interface HmacSecretOptions {
  /** Accepted algorithms. Default `["HS256"]`, what the xclade/Medusa auth routes sign with. */
  algorithms?: readonly HmacAlgorithm[];
}

// RFC 7518 §3.2: the key must be at least as long as the hash output.
const MIN_BYTES: Record<HmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 };
const HASH: Record<HmacAlgorithm, string> = {
  HS256: "SHA-256",
  HS384: "SHA-384",
  HS512: "SHA-512",
};

/**
 * Verifies HMAC-signed tokens with a shared secret (the backend's `JWT_SECRET`). Pass several
 * secrets to rotate: tokens signed with any of them are accepted, the first is tried first.
 * Secrets shorter than the hash output (32 bytes for HS256) are refused under
 * NODE_ENV=production and accepted with a `BFF_SESSION_WEAK_SECRET` warning elsewhere.
 *
 * @example
 * ```ts
 * createSessionRouter({ keys: hmacSecret([process.env.JWT_SECRET!, process.env.JWT_SECRET_PREVIOUS!]), customers });
 * ```
 */
export function hmacSecret(
  secret: string | Uint8Array | ReadonlyArray<string | Uint8Array>,
  options: HmacSecretOptions = {},
): KeySource {
  const list = Array.isArray(secret) ? secret : [secret as string | Uint8Array];
  const algorithms: readonly HmacAlgorithm[] = options.algorithms ?? ["HS256"];
  if (list.length === 0) throw new TypeError("hmacSecret: at least one secret is required");
  if (!isAlgorithmList(algorithms)) {
    throw new TypeError('hmacSecret: option "algorithms" must list HS256, HS384 and/or HS512');
  }
  const raw = list.map((s, i) => {
    const which = list.length === 1 ? "the secret" : `secret ${i}`;
    if (s === undefined || s === null || s === "") {
      throw new TypeError(
        `hmacSecret: ${which} is ${s === "" ? "empty" : String(s)}; is the environment variable (JWT_SECRET) set?`,
      );
    }
    if (typeof s !== "string" && !(s instanceof Uint8Array)) {
      throw new TypeError(`hmacSecret: ${which} must be a string or a Uint8Array, not ${typeof s}`);
    }
    const bytes = typeof s === "string" ? new TextEncoder().encode(s) : s;
    for (const alg of algorithms) {
      if (bytes.byteLength < MIN_BYTES[alg]) weakSecret(which, bytes.byteLength, alg);
    }
    return bytes;
  });

  // Imported once per algorithm, on first use: jose verifies far faster with a CryptoKey.
  const imported = new Map<string, Promise<VerifyKey[]>>();
  const importFor = (alg: HmacAlgorithm) =>
    Promise.all(
      raw.map((bytes) =>
        webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: HASH[alg] }, false, [
          "verify",
        ]),
      ),
    );

  return Object.freeze({
    algorithms: Object.freeze([...algorithms]),
    getKeys(header): Promise<readonly VerifyKey[]> {
      const alg = header.alg as HmacAlgorithm;
      let keys = imported.get(alg);
      if (keys === undefined) imported.set(alg, (keys = importFor(alg)));
      return keys;
    },
  } satisfies KeySource);
}

/**
 * A secret shorter than the hash (RFC 7518 §3.2) can be brute-forced from one token. Refused in
 * production; elsewhere accepted with a warning, so a development backend on Medusa's default
 * ("supersecret") can be paired.
 */
function weakSecret(which: string, bytes: number, alg: HmacAlgorithm): void {
  const problem = `hmacSecret: ${which} is ${bytes} bytes; ${alg} needs at least ${MIN_BYTES[alg]} (RFC 7518 §3.2)`;
  if (process.env.NODE_ENV === "production") {
    throw new TypeError(
      `${problem}. Refused under NODE_ENV=production; outside production it is accepted with a warning.`,
    );
  }
  process.emitWarning(
    `${problem}: accepted because NODE_ENV is not "production", where it is refused. Use a long random secret.`,
    { code: "BFF_SESSION_WEAK_SECRET" },
  );
}

function isAlgorithmList(value: unknown): value is readonly HmacAlgorithm[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((a) => typeof a === "string" && a in HASH)
  );
}
