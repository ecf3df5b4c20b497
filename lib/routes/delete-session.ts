import { handler } from "../http/handler.js";
import { refuseCrossSite } from "../http/csrf.js";
import { appendSetCookie, sendJson } from "../http/respond.js";
import type { RouteDeps } from "./deps.js";

/** DELETE /auth/session — ends the session and clears the cookie. Idempotent. */
export function deleteSession({ sessions, options, failure, cart }: RouteDeps) {
  return handler(failure, "bffSessionDelete", {}, async (req, res) => {
    const id = sessions.fromRequest(req)?.id;
    if (id !== undefined) {
      refuseCrossSite(req, options.csrf);
      // Ended first: if the store fails, the answer is a 500 and the cookie stays, so the
      // browser does not look signed out over a live session, and it can retry.
      await sessions.end(id, undefined, "logout");
    }
    // With `upstream`: this browser's cart is forgotten (it stays the customer's).
    if (cart !== undefined) await cart.signedOut(req, res, id);
    appendSetCookie(res, sessions.cookie.clear());
    sendJson(res, 200, { success: true });
  });
}
