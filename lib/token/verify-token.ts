import { createHash } from "node:crypto";
import {
  errors,
  jwtVerify,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
} from "jose";
import {
  KeySourceUnavailableError,
  TokenRejectedError,
  type TokenRejectionReason,
} from "../errors/errors.js";
import type { KeySource, VerifyKey } from "./keys/key-source.js";

/**
 * The verified claims of a customer token (xclade/Medusa's by default).
 *
 * @example
 * ```ts
 * const customers: CustomerStore = {
 *   async retrieve(id, { claims }: { claims?: TokenClaims }) {
 *     return claims?.app_metadata?.customer_id === id ? db.customer.find(id) : null;
 *   },
 * };
 * ```
 */
export interface TokenClaims extends JWTPayload {
  actor_id?: string;
  actor_type?: string;
  auth_identity_id?: string;
  app_metadata?: Record<string, unknown>;
}

/** How tokens are judged beyond their signature; resolved once from the `token` option. */
export interface TokenPolicy {
  keys: KeySource;
  issuer: string | string[] | undefined;
  audience: string | string[] | undefined;
  clockTolerance: number;
  maxTokenAge: number | undefined;
  typ: string | undefined;
  customerIdClaim: string;
  actorTypeClaim: string | false;
  actorType: string;
  now: () => number;
}

export interface VerifiedToken {
  claims: TokenClaims;
  customerId: string;
}

/** 8 KiB: far above any real customer token, small enough to refuse floods before parsing. */
export const MAX_TOKEN_LENGTH = 8192;
const MAX_KID_LENGTH = 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies a compact JWS customer token and applies the claim policy. Throws
 * TokenRejectedError (a 401, with jose's error as `cause`) or KeySourceUnavailableError.
 */
export async function verifyToken(
  token: string,
  policy: TokenPolicy,
  { unregistered = false }: { unregistered?: boolean } = {},
): Promise<VerifiedToken> {
  // Cheap structural checks first: JWE (5 parts), unsigned "alg: none" tokens (empty third
  // part) and anything oversized never reach a JSON or base64 parser.
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejectedError("too_large");
  if (!COMPACT_JWS.test(token)) throw new TokenRejectedError("malformed");

  const { keys } = policy;
  const options: JWTVerifyOptions = {
    algorithms: keys.algorithms as string[],
    requiredClaims: ["exp"],
    clockTolerance: policy.clockTolerance,
    currentDate: new Date(policy.now()),
  };
  if (policy.issuer !== undefined) options.issuer = policy.issuer;
  if (policy.audience !== undefined) options.audience = policy.audience;
  if (policy.maxTokenAge !== undefined) options.maxTokenAge = policy.maxTokenAge;
  if (policy.typ !== undefined) options.typ = policy.typ;

  // jose decodes the header once and hands it to this function after its own header checks
  // (an `alg` from `algorithms`, `crit` understood) and before any signature work: our header
  // rules run here, then the key source is asked.
  let candidates: readonly VerifyKey[] = [];
  const firstKey = async (header: JWSHeaderParameters): Promise<VerifyKey> => {
    checkHeader(header);
    try {
      candidates = await keys.getKeys(header);
    } catch (cause) {
      if (cause instanceof KeySourceUnavailableError) throw cause;
      throw new TokenRejectedError("invalid", { cause });
    }
    if (candidates.length === 0) throw new TokenRejectedError("signature");
    return candidates[0]!;
  };

  let payload: TokenClaims | undefined;
  let lastError: unknown;
  try {
    ({ payload } = await jwtVerify<TokenClaims>(token, firstKey, options));
  } catch (error) {
    if (error instanceof TokenRejectedError || error instanceof KeySourceUnavailableError)
      throw error;
    lastError = error;
  }
  // Only a bad signature means "try the next key" (a key source with several candidates, as
  // during a rotation); any other failure is final.
  for (let i = 1; payload === undefined && i < candidates.length; i++) {
    if (!(lastError instanceof errors.JWSSignatureVerificationFailed)) break;
    try {
      ({ payload } = await jwtVerify<TokenClaims>(token, candidates[i]!, options));
    } catch (error) {
      lastError = error;
    }
  }
  if (payload === undefined)
    throw new TokenRejectedError(reasonFor(lastError), { cause: lastError });

  if (policy.actorTypeClaim !== false && payload[policy.actorTypeClaim] !== policy.actorType) {
    throw new TokenRejectedError("actor_type");
  }
  const customerId = payload[policy.customerIdClaim];
  // An identity that is not yet registered as a customer has an empty actor_id (so do Medusa's
  // tokens issued before MFA or verification): never a customer, only kept by the sign-in routes
  // (`unregistered`), which resolve an empty customerId for it.
  if (
    typeof customerId !== "string" ||
    (customerId === "" && !unregistered) ||
    customerId.length > 256
  ) {
    throw new TokenRejectedError("actor_id");
  }
  // jose checks `iat` only with maxTokenAge; a token issued in the future (beyond the
  // tolerance) is refused either way, as RFC 7519 §4.1.6 verifiers should.
  if (
    typeof payload.iat === "number" &&
    payload.iat > policy.now() / 1000 + policy.clockTolerance
  ) {
    throw new TokenRejectedError("not_yet_valid");
  }
  if (
    payload.jti !== undefined &&
    (typeof payload.jti !== "string" || payload.jti === "" || payload.jti.length > 256)
  ) {
    throw new TokenRejectedError("claim");
  }
  return { claims: payload, customerId };
}

/** Our rules for the protected header, beyond jose's; a broken rule is a malformed token. */
function checkHeader(header: JWSHeaderParameters): void {
  // `kid` is an opaque lookup key (RFC 7515 §4.1.4): any string, compared and never parsed,
  // bounded so a megabyte-long one cannot reach a key source.
  if (
    header.kid !== undefined &&
    (typeof header.kid !== "string" || header.kid.length > MAX_KID_LENGTH)
  ) {
    throw new TokenRejectedError("malformed");
  }
  // RFC 7797 unencoded payloads are never valid for JWTs (RFC 7797 §7); jose ignores a `b64`
  // that `crit` does not name, but a token carrying one is malformed, not merely odd.
  if ("b64" in header && header.b64 !== true) throw new TokenRejectedError("malformed");
}

/**
 * What makes a token "the same token" for `token.singleUse`: its `jti`, or, without one (real
 * Medusa tokens carry none), its signed content. Not the signature: an ECDSA signature can be
 * re-encoded (s ↦ n − s), and base64url's spare bits let one signature be written several
 * ways, so a replay could otherwise pass as a new token. Hashed: the store sees no claims.
 */
export function tokenUseId(token: string, claims: TokenClaims): string {
  const id =
    typeof claims.jti === "string"
      ? `jti:${claims.jti}`
      : `jws:${token.slice(0, token.lastIndexOf("."))}`;
  return createHash("sha256").update(id).digest("base64url");
}

/** jose's error codes, mapped in this one place to reasons for logs. */
function reasonFor(error: unknown): TokenRejectionReason {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    // jose reports an `iat` in the future (with maxTokenAge) as a failed iat check.
    const early =
      error.claim === "nbf" || (error.claim === "iat" && error.reason === "check_failed");
    return early ? "not_yet_valid" : "claim";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature";
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed";
  // jose throws TypeError for a key that does not fit the algorithm, JOSENotSupported for an
  // unknown `crit` header: all are a refused token, never a 500.
  return "invalid";
}
