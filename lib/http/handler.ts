import type { NextFunction, Request, Response } from "express";
import { fail, type FailureDeps } from "./respond.js";

/** How a route of the package answers, beyond its own logic. */
export interface HandlerOptions {
  /** The route takes a bearer token: a 401 carries `WWW-Authenticate: Bearer`. */
  challenge?: boolean;
  /**
   * Every answer is private to one browser and never cached (RFC 9111 §5.2.2.5): the session
   * routes and the sign-in routes. Default true.
   */
  noStore?: boolean;
  /** What a failed backend call is reported as (`upstream.error`). */
  operation?: "forward" | "sign-in";
}

type Handle = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/**
 * The one wrapper of every route and middleware of the package: `Cache-Control: no-store`
 * where asked, and any failure answered by {@link fail} in the documented shapes. The
 * returned function carries `name`, so it shows in stack traces.
 *
 * @example
 * ```ts
 * const getSession = handler(deps, "bffSessionGet", {}, async (req, res) => { … });
 * ```
 */
export function handler(
  deps: FailureDeps,
  name: string,
  options: HandlerOptions,
  handle: Handle,
): (req: Request, res: Response, next: NextFunction) => void {
  const noStore = options.noStore !== false;
  const how = { challenge: options.challenge === true, operation: options.operation };
  const named = {
    [name](req: Request, res: Response, next: NextFunction): void {
      if (noStore) res.setHeader("Cache-Control", "no-store");
      handle(req, res, next).catch((error: unknown) => fail(deps, res, error, how));
    },
  };
  return named[name]!;
}
