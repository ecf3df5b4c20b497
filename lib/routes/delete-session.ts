import type { Request, Response } from "express";
import { checkCrossSite } from "../csrf.js";
import { appendSetCookie, fail, sendJson, type RouterContext } from "./context.js";

/** DELETE /auth/session — ends the session and clears the cookie. Idempotent. */
export function deleteSession(ctx: RouterContext) {
  const { sessions, options } = ctx;

  async function handle(req: Request, res: Response): Promise<void> {
    const id = sessions.fromRequest(req)?.id;
    if (id !== undefined) {
      const crossSite = checkCrossSite(req, options.csrf);
      if (crossSite !== undefined) throw crossSite;
    }
    // Destroyed first: if the store fails, the answer is a 500 and the cookie stays, so the
    // browser does not look signed out over a live session, and it can retry.
    if (id !== undefined) await sessions.destroy(id, undefined, "logout");
    appendSetCookie(res, sessions.cookie.clear());
    sendJson(res, 200, { success: true });
  }

  return function bffSessionDelete(req: Request, res: Response): void {
    // Every response of the session routes is private to one browser (RFC 9111 §5.2.2.5).
    res.setHeader("Cache-Control", "no-store");
    handle(req, res).catch((error: unknown) => fail(ctx, res, error));
  };
}
