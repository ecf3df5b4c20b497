import { parse } from "cookie";
import { sign, unsign } from "cookie-signature";

/** The cookie settings after defaults; computed once by `resolveOptions()`. */
export interface ResolvedCookie {
  name: string;
  /** Max-Age by default (true), or a browser-session cookie (false); a sign-in may choose. */
  persistent: boolean;
  secure: boolean;
  sameSite: "lax" | "strict" | "none";
  domain: string | undefined;
  path: string;
  secrets: readonly string[];
}

// Values are compared as sent: percent-decoding would let `%41` stand for `A`.
const asSent = (value: string) => value;
// cookie-parser's signed-cookie format ("s:" + cookie-signature), so either side can verify.
const SIGNED = "s:";

/**
 * The attributes of the session cookie, shared by the cookies the BFF sets beside it: Path,
 * Domain, HttpOnly, Secure, SameSite. `hostOnly`: Path=/ and no Domain, whatever the session
 * cookie's (what a `__Host-` cookie needs).
 */
export function cookieAttributes(cookie: ResolvedCookie, { hostOnly = false } = {}): string {
  const sameSite = cookie.sameSite[0]!.toUpperCase() + cookie.sameSite.slice(1);
  let attributes = `; Path=${hostOnly ? "/" : cookie.path}`;
  if (cookie.domain !== undefined && !hostOnly) attributes += `; Domain=${cookie.domain}`;
  attributes += "; HttpOnly";
  // Secure regardless of req.secure: behind a TLS-terminating proxy the app sees plain HTTP.
  if (cookie.secure) attributes += "; Secure";
  return `${attributes}; SameSite=${sameSite}`;
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

  constructor(cookie: ResolvedCookie) {
    this.name = cookie.name;
    this.secrets = cookie.secrets;
    const attributes = cookieAttributes(cookie);
    this.attributes = attributes;
    this.clearHeader = `${cookie.name}=${attributes}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  }

  /**
   * The Set-Cookie value for a new session token: persistent for `maxAgeSeconds`, or, with
   * undefined, a browser-session cookie (no Max-Age: gone when the browser closes).
   */
  serialize(token: string, maxAgeSeconds: number | undefined): string {
    const value =
      this.secrets.length > 0 ? encodeURIComponent(SIGNED + sign(token, this.secrets[0]!)) : token;
    const cookie = `${this.name}=${value}${this.attributes}`;
    return maxAgeSeconds === undefined
      ? cookie
      : `${cookie}; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  }

  /** The Set-Cookie value that makes the browser drop the cookie (same name, path and domain). */
  clear(): string {
    return this.clearHeader;
  }

  /** True when the Cookie header carries a pair of this cookie's name (live or not). */
  isPresent(header: string | undefined): boolean {
    return header !== undefined && header.includes(this.name) && this.pairs(header) > 0;
  }

  /**
   * The session token from a Cookie header, or undefined when there is none, when the value is
   * not validly signed, or when the cookie appears more than once. The header is parsed by the
   * `cookie` package (Express's and cookie-parser's parser): a name counts only at the start of
   * a `;`-separated pair, never inside another cookie's value. A duplicate means someone (a
   * sibling subdomain, a path-scoped cookie) planted a second value, and picking either could
   * let the planted one win; refusing both is the safe reading (RFC 6265 §8.6).
   */
  read(header: string | undefined): string | undefined {
    // Most requests of an app carry no session cookie: no parse for them.
    if (header === undefined || !header.includes(this.name)) return undefined;
    let raw = parse(header, { decode: asSent })[this.name];
    // RFC 6265 §4.1.1: a cookie-value may be wrapped in DQUOTEs (cookie 0.x removed them too).
    if (raw !== undefined && raw.length >= 2 && raw[0] === '"' && raw.endsWith('"'))
      raw = raw.slice(1, -1);
    if (raw === undefined || raw.length > 512) return undefined;
    // Only a header naming the cookie twice can hold a duplicate; count pairs just then.
    if (header.indexOf(this.name) !== header.lastIndexOf(this.name) && this.pairs(header) > 1) {
      return undefined;
    }
    return this.secrets.length === 0 ? raw : this.unsigned(raw);
  }

  /** The token inside a signed value, if any of the secrets signed it. */
  private unsigned(raw: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!decoded.startsWith(SIGNED)) return undefined;
    for (const secret of this.secrets) {
      const value = unsign(decoded.slice(SIGNED.length), secret);
      if (value !== false) return value;
    }
    return undefined;
  }

  private pairs(header: string): number {
    return cookiePairs(header, this.name);
  }
}

/**
 * How many pairs of a Cookie header name `name`, counted as the `cookie` package reads names
 * (the text before `=`, trimmed), and more widely: a bare name without `=` counts too, so the
 * count can only err towards refusing a cookie sent twice.
 */
export function cookiePairs(header: string, name: string): number {
  let count = 0;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if ((eq === -1 ? pair : pair.slice(0, eq)).trim() === name) count++;
  }
  return count;
}

/**
 * The name of a cookie the BFF sets beside the session cookie (`<base>.<suffix>`): `__Host-`
 * whenever it can be (RFC 6265bis §4.1.3), whatever the session cookie's Domain, so no sibling
 * subdomain can plant or overwrite it (cookie tossing); over plain HTTP nothing can prevent it.
 */
export function companionCookieName(cookie: ResolvedCookie, suffix: string): string {
  const base = cookie.name.replace(/^__(Host|Secure)-/, "");
  return cookie.secure ? `__Host-${base}.${suffix}` : `${base}.${suffix}`;
}
