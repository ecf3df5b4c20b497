import type { Request, Response } from "express";
import { NoSessionError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { setSessionCookie, type RouteDeps } from "../routes/deps.js";
import { customerToken } from "../session/customer-token.js";
import { verifyToken, type VerifiedToken } from "../token/verify-token.js";
import { newStandIn, standInFields } from "./stand-in.js";

/**
 * Keeps a token the backend issued in a new session; resolves the stand-in the browser gets.
 * `actingAs`: the session whose token the step was sent with (MFA, verification, a pending
 * session's refresh). The new session starts only if that one is still live: ended meanwhile
 * (a password update, sign out everywhere), the step's answer starts nothing.
 */
export type Adopt = (
  req: Request,
  res: Response,
  token: string,
  actingAs?: { id: string },
) => Promise<string>;

/**
 * Builds `adopt`: a token the backend just issued starts a new session (a customer's, or a
 * pending one when it names no customer yet: registration, MFA), with the session fixation
 * rules of POST /auth/session (the session the browser brought along is ended), and the
 * browser gets a stand-in in the token's place.
 */
export function adopter(
  deps: Pick<RouteDeps, "sessions" | "options" | "policy" | "cart">,
  report: (event: SessionEvent) => void,
  verifyIssued: (token: string) => Promise<VerifiedToken>,
): Adopt {
  const { sessions, options } = deps;
  return async function adopt(req, res, token, actingAs) {
    const { claims, customerId } = await verifyIssued(token);
    const pending = customerId === "";
    // A pending session is indexed by its auth identity (Medusa's `authid_…`, never a
    // customer id), so the per-customer cap applies to that identity.
    const owner = pending ? String(claims.auth_identity_id ?? "") : customerId;
    if (owner === "")
      throw new StoreApiError("unexpected_state", "The sign-in could not be completed.");
    if (
      actingAs !== undefined &&
      (await sessions.load(actingAs.id, { pending: true })) === undefined
    )
      throw new NoSessionError("the session ended while its sign-in step was under way", {
        clearCookie: true,
      });
    const previous = sessions.fromRequest(req);
    if (previous !== undefined) await sessions.end(previous.id, undefined, "replaced");
    const { standIn, hash } = newStandIn();
    const now = options.now();
    const started = await sessions.start(owner, req, {
      customerToken: customerToken(token, claims, now),
      pending,
      standIn: standInFields(hash, now),
    });
    setSessionCookie(deps, req, res, started);
    report({ type: "signin.succeeded", sessionId: started.id, customerId: owner, pending });
    // A customer's session (not a pending one): the browser's cart follows the customer.
    if (!pending && deps.cart !== undefined) {
      const until = started.record.absoluteExpiresAt;
      await deps.cart.signedIn(req, res, { sessionId: started.id, customerId, token, until });
    }
    return standIn;
  };
}

/**
 * Verifies a token the backend just issued. One that does not verify with `keys` means the
 * BFF is misconfigured (another secret or key set than the backend's): a 500 and a log line,
 * never a 401 that would send the customer to sign in again, into the same failure.
 */
export function issuedTokenVerifier(
  policy: RouteDeps["policy"],
  logger: Logger,
): (token: string) => Promise<VerifiedToken> {
  return async function verifyIssued(token) {
    try {
      return await verifyToken(token, policy, { unregistered: true });
    } catch (error) {
      logger.error(
        { err: error },
        "bff-session: a token from the backend does not verify with the `keys` option",
      );
      throw new StoreApiError("unexpected_state", "The sign-in could not be completed.");
    }
  };
}
