import type { Request, Response } from "express";
import { checkCrossSite } from "../csrf.js";
import { TokenRejectedError } from "../errors/internal-errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { readBearerToken } from "../token/read-bearer.js";
import { keptToken } from "../session/kept-token.js";
import { tokenUseId, verifyToken } from "../token/verify-token.js";
import { matchesStandIn, isStandIn } from "../session/stand-in.js";
import { fail, loadCustomer, sendJson, setSessionCookie, type RouterContext } from "./context.js";

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
    if (isStandIn(token)) return signedInWithStandIn(req, res, token);
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
    setSessionCookie(ctx, req, res, created);
    if (!warnedCrossSite && req.headers["sec-fetch-site"] === "cross-site") warnCrossSite(req);
    sendJson(res, 200, { user });
  }

  /**
   * The stand-in a sign-in route gave out (`upstream`): valid only with the cookie of the
   * session it was made for, once, within its time. That session was started by the sign-in a
   * moment ago (a fresh id, the previous one destroyed), so it is kept, not rotated again:
   * requests already under way with the new cookie go on working. A stand-in for a token that
   * names no customer yet (registration, MFA pending) authenticates nothing: `{ user: null }`,
   * so that clients which post every token they get here (the Medusa SDK) carry on to the
   * next step.
   */
  async function signedInWithStandIn(req: Request, res: Response, standIn: string) {
    const ref = sessions.fromRequest(req);
    const record = ref === undefined ? undefined : await sessions.load(ref.id, true, true);
    if (ref === undefined || record === undefined) throw new TokenRejectedError("stand_in");
    if (record.pending === true) {
      if (!matchesStandIn(record, standIn, options.now())) throw new TokenRejectedError("stand_in");
      sendJson(res, 200, { user: null });
      return;
    }
    if (!(await sessions.useStandIn(record, standIn))) throw new TokenRejectedError("stand_in");
    const token = await ctx.keptToken(ref, record);
    if (token === undefined) throw new TokenRejectedError("stand_in");
    const user = await loadCustomer(ctx, record.customerId, { req, claims: undefined, token });
    if (user === undefined)
      throw new StoreApiError("not_found", `Customer with id: ${record.customerId} was not found`);
    sendJson(res, 200, { user });
  }

  return function bffSessionPost(req: Request, res: Response): void {
    // Every response of the session routes is private to one browser (RFC 9111 §5.2.2.5).
    res.setHeader("Cache-Control", "no-store");
    handle(req, res).catch((error: unknown) => fail(ctx, res, error, true));
  };
}
