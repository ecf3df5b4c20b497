import { hash, randomBytes } from "node:crypto";

// 32 bytes = 256 bits of entropy (OWASP Session Management: at least 64 bits; we keep a wide
// margin) encoded as 43 base64url characters.
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

// Random bytes are drawn for 128 tokens at a time (as Node's randomUUID caches its entropy):
// one call into the CSPRNG per 128 logins instead of one per login. Each slice is used once.
const POOL_BYTES = TOKEN_BYTES * 128;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

/** A new opaque session token for the cookie. Never stored anywhere but the browser. */
export function generateSessionToken(): string {
  if (offset === POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const token = pool.toString("base64url", offset, offset + TOKEN_BYTES);
  // Zeroed once taken, so the pool never holds a token that was handed out.
  pool.fill(0, offset, offset + TOKEN_BYTES);
  offset += TOKEN_BYTES;
  return token;
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
  // The one-shot hash(): no Hash object per request (Node ≥ 20.12).
  return hash("sha256", token, "base64url");
}
