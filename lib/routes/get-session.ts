import type { Request, Response } from "express";
import { NoSessionError } from "../errors/internal-errors.js";
import { expiresAt } from "../stores/session-store.js";
import { appendSetCookie, fail, loadCustomer, sendJson, type RouterContext } from "./context.js";

/**
 * GET /auth/session — the current session's customer, re-read through the CustomerStore, and
 * its deadlines so a storefront can warn before logout. `?touch=false` reports without
 * extending the idle deadline.
 */
export function getSession(ctx: RouterContext) {
  const { sessions } = ctx;

  async function handle(req: Request, res: Response): Promise<void> {
    const ref = sessions.fromRequest(req);
    const touch = req.query.touch !== "false";
    const record = ref === undefined ? undefined : await sessions.load(ref.id, touch);
    if (ref === undefined || record === undefined) {
      if (sessions.cookie.isPresent(req.headers.cookie))
        appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("no live session");
    }
    const token = await ctx.keptToken(ref, record);
    if (record.token !== undefined && token === undefined) {
      appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("the kept token was refused by the backend");
    }
    const user = await loadCustomer(ctx, record.customerId, { req, claims: undefined, token });
    if (user === undefined) {
      await sessions.destroy(ref.id, record.customerId, "customer_gone");
      appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("customer gone");
    }
    sendJson(res, 200, {
      user,
      session: {
        expires_at: new Date(expiresAt(record)).toISOString(),
        idle_expires_at: new Date(record.idleExpiresAt).toISOString(),
        absolute_expires_at: new Date(record.absoluteExpiresAt).toISOString(),
      },
    });
  }

  return function bffSessionGet(req: Request, res: Response): void {
    // Every response of the session routes is private to one browser (RFC 9111 §5.2.2.5).
    res.setHeader("Cache-Control", "no-store");
    handle(req, res).catch((error: unknown) => fail(ctx, res, error));
  };
}
