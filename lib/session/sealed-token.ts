import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

// With `token.keep`, the customer's JWT is kept in the session so a CustomerStore can call the
// commerce backend as the customer later. It is sealed with AES-256-GCM under a key derived
// (HKDF, RFC 5869) from the cookie's token, which the store never sees: a leaked session
// store yields neither live cookies nor usable bearer tokens.
const INFO = "bff-session sealed upstream token v1";

function keyFor(cookieToken: string): Buffer {
  return Buffer.from(hkdfSync("sha256", cookieToken, Buffer.alloc(0), INFO, 32));
}

/** `iv.ciphertext.tag`, base64url. */
export function sealToken(plaintext: string, cookieToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(cookieToken), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, ciphertext, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

/** The sealed token, or undefined when it was not sealed for this cookie or was altered. */
export function openToken(sealed: string, cookieToken: string): string | undefined {
  const parts = sealed.split(".");
  if (parts.length !== 3) return undefined;
  const [iv, ciphertext, tag] = parts.map((part) => Buffer.from(part, "base64url")) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  if (iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(cookieToken), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
