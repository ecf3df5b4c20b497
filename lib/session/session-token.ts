import { createHash, randomBytes } from "node:crypto";

// 32 bytes = 256 bits of entropy (OWASP Session Management: at least 64 bits; we keep a wide
// margin) encoded as 43 base64url characters.
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new opaque session token for the cookie. Never stored anywhere but the browser. */
export function generateSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** True when the value could be a token we issued; anything else is refused before a lookup. */
export function isWellFormedSessionToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

/**
 * The session store's key for a token: its SHA-256 (base64url). A leaked store, backup or
 * `MONITOR` log therefore yields no usable cookie. A plain hash suffices: the token has 256 bits
 * of entropy, so there is nothing to brute-force and no need for a slow or salted hash.
 */
export function sessionIdFor(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}
