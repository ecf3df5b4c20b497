import type { RequestHandler } from "express";
import { NoSessionError } from "./errors/errors.js";
import { refuseCrossSite } from "./http/csrf.js";
import { handler } from "./http/handler.js";
import type { RouteDeps } from "./routes/deps.js";
import { toAuthInfo } from "./session/auth-info.js";

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
export function createAuthenticate({ sessions, options, customerTokens, failure }: RouteDeps) {
  return function authenticate(authOptions: AuthenticateOptions = {}): RequestHandler {
    const optional = authOptions.optional === true;
    // The app's own routes decide their caching.
    return handler(
      failure,
      "bffSessionAuthenticate",
      { noStore: false },
      async (req, _res, next) => {
        const ref = sessions.fromRequest(req);
        if (ref !== undefined) refuseCrossSite(req, options.csrf);
        const record = ref === undefined ? undefined : await sessions.load(ref.id);
        // The refresh may end the session (the backend refused the token): then there is none.
        const token =
          record?.token === undefined ? undefined : await customerTokens.forUse(ref!, record);
        if (record === undefined || (record.token !== undefined && token === undefined)) {
          if (!optional) throw new NoSessionError("no live session");
          next();
          return;
        }
        req.auth = toAuthInfo(ref!.id, record, token);
        next();
      },
    );
  };
}
