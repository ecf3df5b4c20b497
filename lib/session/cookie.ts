import { createHmac } from "node:crypto";
import { signedCookie } from "cookie-parser";

/** The cookie settings after defaults; computed once by `resolveOptions()`. */
export interface ResolvedCookie {
  name: string;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  domain: string | undefined;
  path: string;
  secrets: readonly string[];
}

/**
 * Writes and reads the session cookie. Everything but the value is fixed at setup, so each
 * response only concatenates the value into a precomputed header.
 */
export class SessionCookie {
  readonly name: string;
  private readonly attributes: string;
  private readonly clearHeader: string;
  private readonly secrets: readonly string[];
  private readonly needle: string;

  constructor(cookie: ResolvedCookie) {
    this.name = cookie.name;
    this.secrets = cookie.secrets;
    this.needle = `${cookie.name}=`;
    const sameSite = cookie.sameSite[0]!.toUpperCase() + cookie.sameSite.slice(1);
    let attributes = `; Path=${cookie.path}`;
    if (cookie.domain !== undefined) attributes += `; Domain=${cookie.domain}`;
    attributes += "; HttpOnly";
    // Secure regardless of req.secure: behind a TLS-terminating proxy the app sees plain HTTP.
    if (cookie.secure) attributes += "; Secure";
    attributes += `; SameSite=${sameSite}`;
    this.attributes = attributes;
    this.clearHeader = `${cookie.name}=${attributes}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  }

  /** The Set-Cookie value for a new session token that lives `maxAgeSeconds`. */
  serialize(token: string, maxAgeSeconds: number): string {
    const value =
      this.secrets.length > 0 ? encodeURIComponent(sign(token, this.secrets[0]!)) : token;
    return `${this.name}=${value}${this.attributes}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  }

  /** The Set-Cookie value that makes the browser drop the cookie (same name, path and domain). */
  clear(): string {
    return this.clearHeader;
  }

  /**
   * The session token from a Cookie header, or undefined when there is none, when the value is
   * not validly signed, or when the cookie appears more than once. A duplicate means someone
   * (a sibling subdomain, a path-scoped cookie) planted a second value, and picking either
   * could let the planted one win; refusing both is the safe reading (RFC 6265 §8.6).
   */
  read(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const raw = findSingleCookie(header, this.needle);
    if (raw === undefined || raw.length > 512) return undefined;
    if (this.secrets.length === 0) return raw;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    const value = signedCookie(decoded, this.secrets as string[]);
    return typeof value === "string" && value !== decoded ? value : undefined;
  }
}

/** The cookie-signature / cookie-parser format, so `signedCookie()` verifies what we sign. */
function sign(value: string, secret: string): string {
  const mac = createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "");
  return `s:${value}.${mac}`;
}

/** The value of the one cookie named by `needle` ("name="), or undefined if absent or repeated. */
function findSingleCookie(header: string, needle: string): string | undefined {
  let found: string | undefined;
  let from = 0;
  while (from < header.length) {
    const at = header.indexOf(needle, from);
    if (at === -1) break;
    const end = header.indexOf(";", at);
    const stop = end === -1 ? header.length : end;
    // Only a match at the start of a pair counts: "xbff.sid=" is another cookie.
    if (at === 0 || header[at - 1] === " " || header[at - 1] === ";") {
      if (found !== undefined) return undefined;
      found = header.slice(at + needle.length, stop).trim();
      if (found.length >= 2 && found.startsWith('"') && found.endsWith('"'))
        found = found.slice(1, -1);
    }
    from = stop + 1;
  }
  return found;
}
