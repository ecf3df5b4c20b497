import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwksCache,
  type ExportedJWKSCache,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from "jose";
import { KeySourceUnavailableError } from "../../errors/errors.js";
import {
  ASYMMETRIC_ALGORITHMS,
  asymmetricAlgorithms,
  type KeySource,
  type VerifyKey,
} from "./key-source.js";

/**
 * Options of {@link remoteJwks}.
 *
 * @example
 * ```ts
 * remoteJwks(new URL("https://auth.example.com/.well-known/jwks.json"), {
 *   algorithms: ["ES256"],
 *   timeoutDuration: 2000,
 *   staleIfError: 6 * 3600_000,
 * });
 * ```
 */
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
  /** Consecutive failed fetches after which no fetch is tried for `openDuration`. Default 3. */
  failureThreshold?: number;
  /** How long the circuit stays open (fail fast, no fetch), in ms. Default 30,000. */
  openDuration?: number;
  /** How long after its last successful fetch a key set is still used while fetching fails, in ms. Default 3,600,000 (1 h). */
  staleIfError?: number;
}

/**
 * Verifies tokens against the public keys an identity service publishes as a JSON Web Key Set,
 * fetched with jose's `createRemoteJWKSet`: cached, refetched on an unknown `kid` at most once
 * per cooldown, so a burst of tokens with random `kid`s costs at most one fetch.
 *
 * When the identity service is down, logins must neither wait out a timeout each nor turn
 * into 401s (the customer did nothing wrong):
 * - the last good key set keeps verifying for `staleIfError` after its last successful fetch;
 * - after `failureThreshold` failed fetches in a row, no fetch is tried for `openDuration`
 *   (a circuit breaker), so requests fail at once instead of after `timeoutDuration`;
 * - without usable keys the router answers 500 with `Retry-After`.
 *
 * @example
 * ```ts
 * createSessionRouter({ keys: remoteJwks(new URL("https://auth.example.com/.well-known/jwks.json")), customers });
 * ```
 */
export function remoteJwks(url: URL, options: RemoteJwksOptions = {}): KeySource {
  if (!(url instanceof URL)) throw new TypeError("remoteJwks: url must be a URL instance");
  const {
    algorithms = ASYMMETRIC_ALGORITHMS,
    failureThreshold = 3,
    openDuration = 30_000,
    staleIfError = 3_600_000,
    ...fetchOptions
  } = options;
  const accepted = asymmetricAlgorithms("remoteJwks", algorithms);
  for (const [name, value] of Object.entries({ failureThreshold, openDuration, staleIfError })) {
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError(`remoteJwks: option "${name}" must be a non-negative number`);
  }
  // jose writes each successfully fetched key set and its time here: the stale copy.
  const cache = {} as ExportedJWKSCache;
  const jwks = createRemoteJWKSet(url, { ...fetchOptions, [jwksCache]: cache });
  const retryAfter = Math.max(1, Math.ceil(openDuration / 1000));

  let failures = 0;
  let openUntil = 0;
  let stale: { source: JSONWebKeySet; keys: ReturnType<typeof createLocalJWKSet> } | undefined;

  const unavailable = (cause: unknown) => new KeySourceUnavailableError({ cause, retryAfter });

  async function fromStale(
    header: JWSHeaderParameters,
    cause: unknown,
  ): Promise<readonly VerifyKey[]> {
    if (cache.jwks === undefined || Date.now() - cache.uat > staleIfError) throw unavailable(cause);
    if (stale?.source !== cache.jwks)
      stale = { source: cache.jwks, keys: createLocalJWKSet(cache.jwks) };
    return collect(() => stale!.keys(header));
  }

  return Object.freeze({
    algorithms: accepted,
    async getKeys(header: JWSHeaderParameters): Promise<readonly VerifyKey[]> {
      if (Date.now() < openUntil) return fromStale(header, new Error("JWKS circuit open"));
      try {
        const keys = await collect(() => jwks(header));
        failures = 0;
        return keys;
      } catch (error) {
        // Fetch failed, timed out, or the key set was not valid JSON/JWKS: an outage.
        if (++failures >= failureThreshold) openUntil = Date.now() + openDuration;
        return fromStale(header, error);
      }
    },
  } satisfies KeySource);
}

/** The keys a jose key-set function picks for a header; an unknown `kid` yields none. */
async function collect(pick: () => Promise<VerifyKey>): Promise<readonly VerifyKey[]> {
  try {
    return [await pick()];
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return [];
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      const keys: VerifyKey[] = [];
      for await (const key of error as unknown as AsyncIterable<VerifyKey>) keys.push(key);
      return keys;
    }
    throw error;
  }
}
