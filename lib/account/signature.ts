import { createHmac, timingSafeEqual } from "node:crypto";

// The back-channel's signature, shared by the BFF (which checks it) and `bff-session/medusa`
// (which makes it). Only node:crypto: the Medusa side loads this file and nothing heavier.

/**
 * The header that carries a back-channel call's signature: `t=<unix seconds>,v1=<base64url>`.
 *
 * @example
 * ```ts
 * headers[SIGNATURE_HEADER] = signatureHeader(secret, { method: "POST", path, timestamp, body });
 * ```
 */
export const SIGNATURE_HEADER = "bff-signature";

/** A back-channel secret is at least this long (as an HS256 key should be, RFC 7518 §3.2). */
export const MIN_SECRET_LENGTH = 32;

/**
 * What a back-channel signature covers.
 *
 * @example
 * ```ts
 * const parts: SignedParts = { method: "POST", path: "/bff/back-channel", timestamp: 1767225600, body };
 * ```
 */
export interface SignedParts {
  method: string;
  /** The request's path, without the query string (the BFF checks the path it was called on). */
  path: string;
  /** Unix time in seconds. */
  timestamp: number;
  body: string | Uint8Array;
}

/**
 * HMAC-SHA256 over the method, the path, the timestamp and the body, base64url. Each part
 * has its own line, so no part can borrow bytes from its neighbour.
 */
export function sign(secret: string, parts: SignedParts): string {
  return createHmac("sha256", secret)
    .update(`bff-session/back-channel/v1\n${parts.method.toUpperCase()}\n${parts.path}\n`)
    .update(`${parts.timestamp}\n`)
    .update(parts.body)
    .digest("base64url");
}

/**
 * The `bff-signature` header's value for a call (what `notifyBff` sends).
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ type: "customer.deleted", customer_id: "cus_123" });
 * const timestamp = Math.floor(Date.now() / 1000);
 * await fetch(url, {
 *   method: "POST",
 *   headers: { "content-type": "application/json", "bff-signature": signatureHeader(secret, { method: "POST", path: url.pathname, timestamp, body }) },
 *   body,
 * });
 * ```
 */
export function signatureHeader(secret: string, parts: SignedParts): string {
  return `t=${parts.timestamp},v1=${sign(secret, parts)}`;
}

/** The timestamp and the signatures of a `bff-signature` header, or undefined when malformed. */
export function parseSignatureHeader(
  value: string | undefined,
): { timestamp: number; signatures: string[] } | undefined {
  if (value === undefined || value.length > 1024) return undefined;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(",")) {
    const [name, item] = part.trim().split("=", 2) as [string, string | undefined];
    if (name === "t" && item !== undefined && /^\d{1,12}$/.test(item)) timestamp = Number(item);
    else if (name === "v1" && item !== undefined && /^[A-Za-z0-9_-]{43}$/.test(item))
      signatures.push(item);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * The one of `given` that is the signature of `parts` under one of `secrets`, or undefined;
 * compared in constant time.
 */
export function verifySignature(
  secrets: readonly string[],
  given: readonly string[],
  parts: SignedParts,
): string | undefined {
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, parts));
    for (const signature of given) {
      const candidate = Buffer.from(signature);
      // Both are 43 base64url characters (the header's format is checked): equal lengths.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected))
        return signature;
    }
  }
  return undefined;
}
