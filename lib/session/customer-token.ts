import type { SessionRecord } from "../stores/session-store.js";
import type { TokenClaims } from "../token/verify-token.js";
import { openToken, sealToken } from "./sealed-token.js";

/**
 * The customer's JWT as a session keeps it (`token.keep`, `upstream`), with its lifetime in
 * whole milliseconds since the epoch.
 */
export interface CustomerToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * A verified customer token as a session keeps it. RFC 7519 allows fractional `iat`/`exp`;
 * stores deal in integers. A token without `iat` is taken as issued now.
 */
export function customerToken(token: string, claims: TokenClaims, now: number): CustomerToken {
  return {
    token,
    issuedAt: typeof claims.iat === "number" ? Math.floor(claims.iat * 1000) : now,
    expiresAt: Math.floor(claims.exp! * 1000),
  };
}

/** The record fields that keep a customer token, sealed for the cookie's session token. */
export function sealedFields(
  kept: CustomerToken,
  sessionToken: string,
): Pick<SessionRecord, "token" | "tokenIssuedAt" | "tokenExpiresAt"> {
  return {
    token: sealToken(kept.token, sessionToken),
    tokenIssuedAt: kept.issuedAt,
    tokenExpiresAt: kept.expiresAt,
  };
}

const OPENED_MAX = 10_000;

/**
 * Opens the customer token a session keeps, with the cookie's session token. Opening costs a
 * key derivation and a decryption; the last opened tokens are kept by their sealed text (unique
 * per seal: a random IV) in this process's memory, the memory that holds them during every
 * request anyway. Bounded, oldest out first.
 */
export class OpenedTokens {
  private readonly opened = new Map<string, string>();

  open(record: SessionRecord, sessionToken: string): string | undefined {
    const sealed = record.token;
    if (sealed === undefined) return undefined;
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    const token = openToken(sealed, sessionToken);
    if (token !== undefined) {
      if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(sealed, token);
    }
    return token;
  }
}
