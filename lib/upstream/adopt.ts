import type { Request, Response } from "express";
import { NoSessionError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import { setSessionCookie, type RouteDeps } from "../routes/deps.js";
import { customerToken } from "../session/customer-token.js";
import type { AccountNames } from "../account/identities.js";
import { verifyToken, type VerifiedToken } from "../token/verify-token.js";
import { newStandIn, standInFields } from "./stand-in.js";

/**
 * Keeps a token the backend issued in a new session; resolves the stand-in the browser gets.
 * Nothing starts (401) when the account changed while the sign-in was under way:
 * - `since`: when the BFF sent the sign-in on; a password updated through the BFF since then
 *   may have been checked by the backend before it changed;
 * - `actingAs`: the session whose token a step was sent with (MFA, verification, a pending
 *   session's refresh), which must still be live (a password update or "sign out everywhere"
 *   may have ended it).
 */
export type Adopt = (
  req: Request,
  res: Response,
  token: string,
  during: {
    since: number;
    actingAs?: { id: string } | undefined;
    /** The account the sign-in named: its provider, and the identifier of a password sign-in. */
    account: { provider: string; identifier?: string | undefined };
  },
) => Promise<string>;

/** Whether the account's password was updated through the BFF at or after `since`. */
export type ChangedSince = (account: AccountNames, since: number) => Promise<boolean>;

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
  changedSince: ChangedSince,
): Adopt {
  const { sessions, options } = deps;
  const changed = () =>
    new NoSessionError("the account changed while the sign-in was under way", {
      clearCookie: true,
    });
  return async function adopt(req, res, token, { since, actingAs, account }) {
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
      throw changed();
    const previous = sessions.fromRequest(req);
    if (previous !== undefined) await sessions.end(previous.id, undefined, "replaced");
    const { standIn, hash } = newStandIn();
    const now = options.now();
    const started = await sessions.start(owner, req, {
      customerToken: customerToken(token, claims, now),
      pending,
      standIn: standInFields(hash, now),
    });
    // After the start: a password update either marked the identity before this check, or
    // ends this session with the others (it marks before it ends them).
    const identity = claims.auth_identity_id;
    const authIdentityId = typeof identity === "string" ? identity : undefined;
    if (await changedSince({ ...account, authIdentityId }, since)) {
      await sessions.end(started.id, owner, "password_changed");
      throw changed();
    }
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
