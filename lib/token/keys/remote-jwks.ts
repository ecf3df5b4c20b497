import {
  createRemoteJWKSet,
  errors,
  type JWSHeaderParameters,
  type RemoteJWKSetOptions,
} from "jose";
import { KeySourceUnavailableError } from "../../errors/internal-errors.js";
import type { KeySource, VerifyKey } from "./key-source.js";

export interface RemoteJwksOptions {
  /** Accepted algorithms. Default: every asymmetric JWS algorithm jose supports. */
  algorithms?: readonly string[];
  /** How long one fetch of the key set may take, in ms. jose's default: 5,000. */
  timeoutDuration?: number;
  /** After a fetch, no refetch for an unknown `kid` within this many ms. jose's default: 30,000. */
  cooldownDuration?: number;
  /** How long a fetched key set is used before it is fetched again, in ms. jose's default: 600,000. */
  cacheMaxAge?: number;
  /** Extra headers for the fetch (an API key, say). */
  headers?: Record<string, string>;
}

const DEFAULT_ALGORITHMS = [
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
];

/**
 * Verifies tokens against the public keys an identity service publishes as a JSON Web Key Set,
 * fetched with jose's `createRemoteJWKSet` (cached; refetched on an unknown `kid` at most once per
 * cooldown). When the key set cannot be fetched the router answers 500 with `Retry-After`:
 * an outage is not the customer's fault, so it is not a 401.
 *
 * @example
 * ```ts
 * createSessionRouter({ keys: remoteJwks(new URL("https://auth.example.com/.well-known/jwks.json")), customers });
 * ```
 */
export function remoteJwks(url: URL, options: RemoteJwksOptions = {}): KeySource {
  if (!(url instanceof URL)) throw new TypeError("remoteJwks: url must be a URL instance");
  const { algorithms = DEFAULT_ALGORITHMS, ...fetchOptions } = options;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    algorithms.some((a) => !DEFAULT_ALGORITHMS.includes(a))
  ) {
    throw new TypeError(
      'remoteJwks: option "algorithms" must list asymmetric JWS algorithms (RS256, ES256, EdDSA, …)',
    );
  }
  const jwks = createRemoteJWKSet(url, fetchOptions satisfies RemoteJWKSetOptions);

  return Object.freeze({
    algorithms: Object.freeze([...algorithms]),
    async getKeys(header: JWSHeaderParameters): Promise<readonly VerifyKey[]> {
      try {
        return [await jwks(header)];
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey) return [];
        if (error instanceof errors.JWKSMultipleMatchingKeys) {
          const keys: VerifyKey[] = [];
          for await (const key of error as unknown as AsyncIterable<VerifyKey>) keys.push(key);
          return keys;
        }
        // Fetch failed, timed out, or the key set was not valid JSON/JWKS: an outage.
        throw new KeySourceUnavailableError({ cause: error });
      }
    },
  } satisfies KeySource);
}
