import { NoSessionError } from "../errors/errors.js";
import { handler } from "../http/handler.js";
import { sendJson } from "../http/respond.js";
import { expiresAt } from "../stores/session-store.js";
import type { RouteDeps } from "./deps.js";

/**
 * GET /auth/session — the current session's customer, re-read through the CustomerStore, and
 * its deadlines so a storefront can warn before logout. `?touch=false` reports without
 * extending the idle deadline.
 */
export function getSession({ sessions, customerTokens, loadCustomer, failure }: RouteDeps) {
  return handler(failure, "bffSessionGet", {}, async (req, res) => {
    const ref = sessions.fromRequest(req);
    const touch = !req.url.includes("?") || req.query.touch !== "false";
    const record = ref === undefined ? undefined : await sessions.load(ref.id, { touch });
    const clearCookie = sessions.cookie.isPresent(req.headers.cookie);
    if (ref === undefined || record === undefined) {
      throw new NoSessionError("no live session", { clearCookie });
    }
    const token = await customerTokens.forUse(ref, record);
    if (record.token !== undefined && token === undefined) {
      throw new NoSessionError("the kept token was refused by the backend", { clearCookie });
    }
    const user = await loadCustomer(record.customerId, { req, claims: undefined, token });
    if (user === undefined) {
      await sessions.end(ref.id, record.customerId, "customer_gone");
      throw new NoSessionError("customer gone", { clearCookie: true });
    }
    sendJson(res, 200, {
      user,
      session: {
        expires_at: new Date(expiresAt(record)).toISOString(),
        idle_expires_at: new Date(record.idleExpiresAt).toISOString(),
        absolute_expires_at: new Date(record.absoluteExpiresAt).toISOString(),
      },
    });
  });
}
