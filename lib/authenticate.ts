import type { NextFunction, Request, RequestHandler, Response } from "express";
import { checkCrossSite } from "./csrf.js";
import { NoSessionError } from "./errors/internal-errors.js";
import { fail, type RouterContext } from "./routes/context.js";
import { toAuthInfo } from "./session/session-manager.js";

/**
 * Options of `router.authenticate()`.
 *
 * @example
 * ```ts
 * app.get("/store/products", sessions.authenticate({ optional: true }), (req, res) => {
 *   res.json(catalog.for(req.auth?.customerId)); // personalised when signed in
 * });
 * ```
 */
export interface AuthenticateOptions {
  /** Call `next()` without a session too (req.auth then stays undefined). Default false. */
  optional?: boolean;
}

/**
 * Builds `router.authenticate()`: cookie → live session → `req.auth`. Without a live session it
 * answers 401 `Unauthorized` (or, with `optional`, continues). State-changing requests that a
 * browser marks cross-site are refused with 403 before the session is even read.
 */
export function createAuthenticate(ctx: RouterContext) {
  const { sessions, options } = ctx;

  return function authenticate(authOptions: AuthenticateOptions = {}): RequestHandler {
    const optional = authOptions.optional === true;

    async function handle(req: Request, res: Response, next: NextFunction): Promise<void> {
      const ref = sessions.fromRequest(req);
      if (ref !== undefined) {
        const crossSite = checkCrossSite(req, options.csrf);
        if (crossSite !== undefined) throw crossSite;
      }
      const record = ref === undefined ? undefined : await sessions.load(ref.id);
      if (record === undefined) {
        if (!optional) throw new NoSessionError("no live session");
        next();
        return;
      }
      const token = record.token === undefined ? undefined : await ctx.keptToken(ref!, record);
      if (record.token !== undefined && token === undefined) {
        // The refresh ended the session (the backend refused the token).
        if (!optional) throw new NoSessionError("the kept token was refused by the backend");
        next();
        return;
      }
      req.auth = toAuthInfo(ref!.id, record, token);
      next();
    }

    return function bffSessionAuthenticate(req: Request, res: Response, next: NextFunction): void {
      handle(req, res, next).catch((error: unknown) => fail(ctx, res, error));
    };
  };
}
