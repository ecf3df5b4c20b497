import type { TokenClaims } from "../token/verify-token.js";
import type { KeptToken } from "./session-manager.js";

/**
 * A verified customer token as a session keeps it, with its lifetime in whole milliseconds
 * (RFC 7519 allows fractional `iat`/`exp`; stores deal in integers). A token without `iat` is
 * taken as issued now.
 */
export function keptToken(token: string, claims: TokenClaims, now: number): KeptToken {
  return {
    token,
    issuedAt: typeof claims.iat === "number" ? Math.floor(claims.iat * 1000) : now,
    expiresAt: Math.floor(claims.exp! * 1000),
  };
}
