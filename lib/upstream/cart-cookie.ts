import { createHmac, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import { parse } from "cookie";
import { appendSetCookie } from "../http/respond.js";
import type { ResolvedOptions } from "../options/types.js";
import { companionCookieName, cookieAttributes, cookiePairs } from "../session/cookie.js";

/** A cart id as the backend makes them (`cart_01H…`): one path segment, never anything else. */
export const CART_ID = /^[A-Za-z0-9_-]{1,100}$/;
// A guest's cart outlives a browsing session, as Medusa's own storefronts keep it (they use a
// week); a month, so a shopper who comes back finds it.
const MAX_AGE_S = 30 * 24 * 3600;
// Domain separation: the same `cookie.secret` signs the session cookie (cookie-signature).
const CONTEXT = "bff-session cart cookie\0";
const asSent = (value: string) => value;

/**
 * The guest's cart, in a cookie of its own: `<session cookie name>.cart`, host-only and
 * `__Host-` over HTTPS whatever the session cookie's Domain (a sibling subdomain could otherwise
 * plant a cart of the attacker's, signed by this BFF for the attacker's own browser: cart
 * fixation), httpOnly, its value the cart id, its expiry and an HMAC-SHA256 of both. A value
 * this BFF did not sign, one past its expiry (a copy kept longer than the cookie), a cookie
 * sent twice (RFC 6265 §8.6), or a request the browser marks cross-site names no cart.
 */
export class CartCookie {
  readonly name: string;
  private readonly attributes: string;
  private readonly clearHeader: string;

  constructor(
    options: Pick<ResolvedOptions, "cookie" | "secrets" | "csrf" | "now">,
    private readonly keys: readonly string[] = options.secrets.cartCookie,
  ) {
    const { cookie } = options;
    this.now = options.now;
    this.name = companionCookieName(cookie, "cart");
    let attributes = cookieAttributes(cookie, { hostOnly: true });
    if (cookie.persistent) attributes += `; Max-Age=${MAX_AGE_S}`;
    this.attributes = attributes;
    this.clearHeader = `${this.name}=${attributes.replace(/; Max-Age=\d+/, "")}; Max-Age=0`;
    this.trusted = options.csrf === false ? new Set() : options.csrf.trustedOrigins;
  }

  private readonly trusted: ReadonlySet<string>;
  private readonly now: () => number;

  /** True when the request carries a cookie of this name, valid or not. */
  isPresent(req: Request): boolean {
    const header = req.headers.cookie;
    return header !== undefined && header.includes(this.name) && this.pairs(header) > 0;
  }

  /** The cart id this browser's cookie holds, when it is one this BFF signed and may adopt. */
  read(req: Request): string | undefined {
    const header = req.headers.cookie;
    if (header === undefined || !header.includes(this.name)) return undefined;
    if (this.isCrossSite(req) || this.pairs(header) !== 1) return undefined;
    const value = parse(header, { decode: asSent })[this.name];
    if (value === undefined || value.length > 200) return undefined;
    const parts = value.split(".");
    if (parts.length !== 3) return undefined;
    const [cartId, until, signature] = parts as [string, string, string];
    if (!CART_ID.test(cartId) || !/^\d{1,12}$/.test(until)) return undefined;
    if (Number(until) * 1000 <= this.now()) return undefined;
    const given = Buffer.from(signature);
    for (const key of this.keys) {
      const kept = Buffer.from(mac(`${cartId}.${until}`, key));
      if (given.length === kept.length && timingSafeEqual(given, kept)) return cartId;
    }
    return undefined;
  }

  /** Remembers `cartId` in this browser. */
  set(res: Response, cartId: string): void {
    const until = `${Math.floor(this.now() / 1000) + MAX_AGE_S}`;
    const signed = `${cartId}.${until}.${mac(`${cartId}.${until}`, this.keys[0]!)}`;
    appendSetCookie(res, `${this.name}=${signed}${this.attributes}`);
  }

  /** Forgets the guest cart in this browser. */
  clear(res: Response): void {
    appendSetCookie(res, this.clearHeader);
  }

  /**
   * The browser says another site made this request (Fetch Metadata), and its Origin is not
   * one the app trusts (`csrf.trustedOrigins`): a cart cookie it carries is not adopted.
   */
  isCrossSite(req: Request): boolean {
    if (req.headers["sec-fetch-site"] !== "cross-site") return false;
    const origin = req.headers.origin;
    return origin === undefined || !this.trusted.has(origin);
  }

  private pairs(header: string): number {
    return cookiePairs(header, this.name);
  }
}

function mac(value: string, key: string): string {
  return createHmac("sha256", key)
    .update(CONTEXT + value)
    .digest("base64url");
}
