import { hash, timingSafeEqual } from "node:crypto";
import type { Request, Response } from "express";
import { parse } from "cookie";
import { CrossSiteRequestError } from "../errors/errors.js";
import { appendSetCookie } from "../http/respond.js";
import { companionCookieName, type ResolvedCookie } from "../session/cookie.js";

// Long enough to sign in at a provider, short enough that a stale start is worth nothing.
const MAX_AGE_S = 600;

/**
 * Binds a third-party sign-in to the browser that began it (login CSRF, RFC 6749 §10.12):
 * when the BFF forwards the start and the backend answers with the provider's `location`, the
 * browser gets a short-lived httpOnly cookie holding the SHA-256 of that URL's `state`. The
 * provider's callback creates a session only in a browser whose cookie matches the callback's
 * `state`: a code and state an attacker obtained for their own account, planted in a victim's
 * browser, sign in nobody. The backend's own state check does not see which browser calls.
 */
export class ProviderBinding {
  private readonly name: string;
  private readonly attributes: string;

  constructor(cookie: ResolvedCookie) {
    // Host-only, and `__Host-` whenever it can be (RFC 6265bis §4.1.3), whatever the session
    // cookie's Domain: an attacker who begins a sign-in of their own gets a valid binding in
    // their browser, and only the prefix keeps them from planting it in a victim's from a
    // sibling subdomain (cookie tossing). Over plain HTTP (development) nothing can.
    this.name = companionCookieName(cookie, "signin");
    this.attributes = `; Path=/; HttpOnly; SameSite=Lax${cookie.secure ? "; Secure" : ""}`;
  }

  /** After a start answered `{ location }`: remembers the location's `state` in this browser. */
  bind(res: Response, location: unknown): void {
    const state = stateOf(location);
    if (state === undefined) return;
    appendSetCookie(res, `${this.name}=${digest(state)}${this.attributes}; Max-Age=${MAX_AGE_S}`);
  }

  /**
   * Before a callback is forwarded: refuses (403) unless this browser began a sign-in with the
   * callback's `state`. The binding is used up either way.
   */
  check(req: Request, res: Response): void {
    const header = req.headers.cookie;
    const bound = header?.includes(this.name) === true ? parse(header)[this.name] : undefined;
    const q = req.url.indexOf("?");
    const state = q === -1 ? null : new URLSearchParams(req.url.slice(q + 1)).get("state");
    if (bound !== undefined) appendSetCookie(res, `${this.name}=${this.attributes}; Max-Age=0`);
    const given = Buffer.from(state === null ? "" : digest(state));
    const kept = Buffer.from(bound ?? "");
    if (state === null || given.length !== kept.length || !timingSafeEqual(given, kept)) {
      throw new CrossSiteRequestError("this sign-in was not started in this browser");
    }
  }
}

function stateOf(location: unknown): string | undefined {
  if (typeof location !== "string") return undefined;
  try {
    return new URL(location).searchParams.get("state") ?? undefined;
  } catch {
    return undefined;
  }
}

function digest(state: string): string {
  return hash("sha256", state, "base64url");
}
