import type { Logger } from "../logger.js";
import type { Sessions } from "../session/sessions.js";
import { verifyToken, type TokenPolicy } from "../token/verify-token.js";
import type { AccountIdentities } from "./identities.js";

/** What ending sessions at a password update needs. */
export interface PasswordUpdateDeps {
  identities: AccountIdentities;
  sessions: Sessions;
  policy: TokenPolicy;
  logger: Logger;
  /** How long a sign-in that began before the update may still be under way, in ms. */
  signInWindow: number;
}

/**
 * Ends every session of the account whose password the backend just updated (the answer to
 * `POST /auth/customer/{provider}/update` was a success). The reset token names the identity
 * (`entity_id`, `provider`), not the customer: the customer is the one remembered for that
 * identifier at its last sign-in through the BFF ({@link AccountIdentities}). Pending sessions
 * of the identity (registration, MFA) end too.
 *
 * Resolves how many sessions ended. Never throws: the password has changed at the backend,
 * and the browser is told so; a failure here is logged as an error (the store's also reported
 * as `store.error`).
 */
export async function endSessionsAfterPasswordUpdate(
  deps: PasswordUpdateDeps,
  provider: string,
  resetToken: string | undefined,
): Promise<number> {
  const { identities, sessions, policy, logger, signInWindow } = deps;
  if (resetToken === undefined) return 0;
  let entityId: string;
  let claimed: unknown;
  try {
    // The backend accepted this token a moment ago; checking it here too means that nothing
    // but a token signed with the backend's key can name the account whose sessions end.
    const verified = await verifyToken(resetToken, {
      ...policy,
      customerIdClaim: "entity_id",
      maxTokenAge: undefined,
    });
    entityId = verified.customerId;
    claimed = verified.claims.provider;
  } catch (err) {
    logger.warn(
      { err },
      "bff-session: a password was updated with a reset token the BFF cannot read; no session ended",
    );
    return 0;
  }
  try {
    const named = {
      provider: typeof claimed === "string" ? claimed : provider,
      identifier: entityId,
    };
    const found = await identities.find(named.provider, entityId);
    // Marked before the sessions end: a sign-in under way that starts its session after this
    // finds the mark; one that started it before is among the sessions ended below. The
    // identifier is marked even when no sign-in through this BFF mapped it yet.
    await identities.markChanged({ ...named, authIdentityId: found?.authIdentityId }, signInWindow);
    if (found === undefined) {
      // No sign-in through this BFF within the session lifetime: no session to end.
      logger.debug({}, "bff-session: a password was updated for an account with no known session");
      return 0;
    }
    const ended = await sessions.revokeCustomer(
      found.authIdentityId,
      undefined,
      "password_changed",
    );
    if (found.customerId === undefined) return ended;
    return ended + (await sessions.revokeCustomer(found.customerId, undefined, "password_changed"));
  } catch (err) {
    logger.error(
      { err },
      "bff-session: a password was updated but the account's sessions could not be ended",
    );
    return 0;
  }
}
