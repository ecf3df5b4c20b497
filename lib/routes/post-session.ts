import type { Request, Response } from "express";
import { checkCrossSite } from "../csrf.js";
import { TokenRejectedError } from "../errors/internal-errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { readBearerToken } from "../token/read-bearer.js";
import { keptToken } from "../session/kept-token.js";
import { tokenUseId, verifyToken } from "../token/verify-token.js";
import { fail, loadCustomer, type RouterContext } from "./context.js";

/** POST /auth/session — Set Authentication Session: a verified customer JWT becomes a session cookie. */
export function postSession(ctx: RouterContext) {
  const { sessions, options, policy } = ctx;

  // A storefront on another site (a trusted origin) gets a 200 here, but the browser drops a
  // SameSite=Lax/Strict cookie on a cross-site response: the next call is a 401 with nothing
  // saying why. Said once, in the log, with the settings that fix it.
  let warnedCrossSite = options.cookie.sameSite === "none";
  function warnCrossSite(req: Request): void {
    warnedCrossSite = true;
    ctx.logger.warn(
      { origin: req.headers.origin, sameSite: options.cookie.sameSite },
      `bff-session: a sign-in came from another site (${String(req.headers.origin)}); the browser drops a SameSite=${options.cookie.sameSite} cookie there. Set cookie: { sameSite: "none", secure: true } for a cross-site storefront (README: "Storefront layouts")`,
    );
  }

  async function handle(req: Request, res: Response): Promise<void> {
    const crossSite = checkCrossSite(req, options.csrf);
    if (crossSite !== undefined) throw crossSite;

    const token = readBearerToken(req);
    const { claims, customerId } = await verifyToken(token, policy);
    if (options.token.singleUse) {
      // Remembered for as long as the token is accepted: until exp plus the clock tolerance.
      const acceptedUntil = Math.ceil((claims.exp! + policy.clockTolerance) * 1000);
      const first = await sessions.consumeTokenId(tokenUseId(token, claims), acceptedUntil);
      if (!first) throw new TokenRejectedError("replayed");
    }

    const user = await loadCustomer(ctx, customerId, { req, claims, token });
    if (user === undefined)
      throw new StoreApiError("not_found", `Customer with id: ${customerId} was not found`);

    // Session fixation (OWASP ASVS V3.2.1): never adopt a session id the browser brought
    // along — a planted one or the previous login's. End it and issue a fresh one.
    const previous = sessions.fromRequest(req);
    if (previous !== undefined) await sessions.destroy(previous.id, undefined, "replaced");
    const kept = options.token.keep ? keptToken(token, claims, options.now()) : undefined;
    const created = await sessions.create(customerId, req, kept);

    // The cookie lives as long as the session can: the absolute timeout, or the kept token's
    // exp when it caps the session.
    const { absoluteExpiresAt, createdAt } = created.record;
    const persistent = remember(req.query.remember) ?? options.cookie.persistent;
    const maxAge = persistent ? (absoluteExpiresAt - createdAt) / 1000 : undefined;
    res.append("Set-Cookie", sessions.cookie.serialize(created.token, maxAge));
    if (!warnedCrossSite && req.headers["sec-fetch-site"] === "cross-site") warnCrossSite(req);
    res.status(200).json({ user });
  }

  return function bffSessionPost(req: Request, res: Response): void {
    // Every response of the session routes is private to one browser (RFC 9111 §5.2.2.5).
    res.setHeader("Cache-Control", "no-store");
    handle(req, res).catch((error: unknown) => fail(ctx, res, error, true));
  };
}

/** "Remember me": `?remember=true` asks for a persistent cookie, `false` for a browser-session one. */
function remember(value: unknown): boolean | undefined {
  return value === "true" ? true : value === "false" ? false : undefined;
}
