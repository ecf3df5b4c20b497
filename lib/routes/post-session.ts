import type { Request, Response } from "express";
import { TokenRejectedError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { refuseCrossSite } from "../http/csrf.js";
import { handler } from "../http/handler.js";
import { sendJson } from "../http/respond.js";
import { customerToken } from "../session/customer-token.js";
import { readBearerToken } from "../token/read-bearer.js";
import { tokenUseId, verifyToken } from "../token/verify-token.js";
import { setSessionCookie, type RouteDeps } from "./deps.js";

/**
 * With `upstream`, a sign-in route's stand-in, sent here in place of a token: answers the
 * request itself when `token` is one (see `upstream/stand-in.ts`), else resolves false.
 */
export type StandInSignIn = (req: Request, res: Response, token: string) => Promise<boolean>;

/** POST /auth/session — Set Authentication Session: a verified customer JWT becomes a session cookie. */
export function postSession(deps: RouteDeps, standIn?: StandInSignIn) {
  const { sessions, options, policy, loadCustomer, failure, logger } = deps;

  // A storefront on another site (a trusted origin) gets a 200 here, but the browser drops a
  // SameSite=Lax/Strict cookie on a cross-site response: the next call is a 401 with nothing
  // saying why. Said once, in the log, with the settings that fix it.
  let warnedCrossSite = options.cookie.sameSite === "none";
  function warnCrossSite(req: Request): void {
    warnedCrossSite = true;
    logger.warn(
      { origin: req.headers.origin, sameSite: options.cookie.sameSite },
      `bff-session: a sign-in came from another site (${String(req.headers.origin)}); the browser drops a SameSite=${options.cookie.sameSite} cookie there. Set cookie: { sameSite: "none", secure: true } for a cross-site storefront (README: "Storefront layouts")`,
    );
  }

  return handler(failure, "bffSessionPost", { challenge: true }, async (req, res) => {
    refuseCrossSite(req, options.csrf);
    const token = readBearerToken(req);
    if (standIn !== undefined && (await standIn(req, res, token))) return;
    const { claims, customerId } = await verifyToken(token, policy);
    if (options.token.singleUse) {
      // Remembered for as long as the token is accepted: until exp plus the clock tolerance.
      const acceptedUntil = Math.ceil((claims.exp! + policy.clockTolerance) * 1000);
      if (!(await sessions.claimOnce(`jwt:${tokenUseId(token, claims)}`, acceptedUntil)))
        throw new TokenRejectedError("replayed");
    }

    const user = await loadCustomer(customerId, { req, claims, token });
    if (user === undefined)
      throw new StoreApiError("not_found", `Customer with id: ${customerId} was not found`);

    // Session fixation (OWASP ASVS V3.2.1): never adopt a session id the browser brought
    // along — a planted one or the previous login's. End it and issue a fresh one.
    const previous = sessions.fromRequest(req);
    if (previous !== undefined) await sessions.end(previous.id, undefined, "replaced");
    const kept = options.token.keep ? customerToken(token, claims, options.now()) : undefined;
    const started = await sessions.start(customerId, req, { customerToken: kept });
    setSessionCookie(deps, req, res, started);
    if (deps.cart !== undefined) {
      const until = started.record.absoluteExpiresAt;
      await deps.cart.signedIn(req, res, { sessionId: started.id, customerId, token, until });
    }
    if (!warnedCrossSite && req.headers["sec-fetch-site"] === "cross-site") warnCrossSite(req);
    sendJson(res, 200, { user });
  });
}
