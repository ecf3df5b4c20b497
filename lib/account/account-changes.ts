import type { RequestHandler } from "express";
import { decodeJwt } from "jose";
import type { SessionEvent } from "../events.js";
import type { FailureDeps } from "../http/respond.js";
import type { Logger } from "../logger.js";
import type { ResolvedOptions } from "../options/types.js";
import type { GuardedStore } from "../session/guarded-store.js";
import type { Sessions } from "../session/sessions.js";
import type { TokenPolicy } from "../token/verify-token.js";
import { backChannelHandler, type BackChannelOptions } from "./back-channel.js";
import { AccountIdentities, type AccountNames } from "./identities.js";
import { endSessionsAfterPasswordUpdate } from "./password-update.js";

/** "Account changes end sessions": what the sign-in routes and the router call. */
export interface AccountChanges {
  /** A sign-in route kept `token` (verified already); `identifier` is the body's account field. */
  signedIn(provider: string, identifier: string | undefined, token: string): Promise<void>;
  /** The backend accepted a password update with this reset token: ends the account's sessions. */
  passwordUpdated(provider: string, resetToken: string | undefined): Promise<number>;
  /** Whether the account's password was updated through the BFF at or after `since` (ms). */
  changedSince(account: AccountNames, since: number): Promise<boolean>;
  /** `router.backChannel(options)`. */
  backChannel(options: BackChannelOptions): RequestHandler;
}

/** What the account changes are built from: the session core, once, in createSessionRouter. */
export interface AccountChangesDeps {
  sessions: Sessions;
  store: GuardedStore;
  options: ResolvedOptions;
  policy: TokenPolicy;
  failure: FailureDeps;
  report: (event: SessionEvent) => void;
  logger: Logger;
}

/** Builds the account changes once (the store's small records are required at setup). */
export function accountChanges(deps: AccountChangesDeps): AccountChanges {
  const { sessions, store, options, policy, logger } = deps;
  const identities = new AccountIdentities({
    store,
    secret: options.secrets.hash,
    lifetime: options.lifetime.absoluteTimeout,
    now: options.now,
    report: deps.report,
  });
  // A sign-in under way when a password changes ends within the backend's timeout; a minute
  // more covers the clocks of instances that differ a little.
  const signInWindow = 2 * (options.upstream?.timeout ?? 0) + 60_000;
  return {
    async signedIn(provider, identifier, token) {
      // adopt() has verified this token a moment ago: its claims are read, not checked again.
      const claims = decodeJwt(token);
      const customerId = claims[policy.customerIdClaim];
      const authIdentityId = claims.auth_identity_id;
      await identities.signedIn({
        provider,
        identifier,
        authIdentityId: typeof authIdentityId === "string" ? authIdentityId : undefined,
        customerId: typeof customerId === "string" ? customerId : "",
      });
    },
    passwordUpdated: (provider, resetToken) =>
      endSessionsAfterPasswordUpdate(
        { identities, sessions, policy, logger, signInWindow },
        provider,
        resetToken,
      ),
    async changedSince(account, since) {
      const at = await identities.changedAt(account);
      return at !== undefined && at >= since;
    },
    backChannel: (backChannelOptions) =>
      backChannelHandler(
        { sessions, failure: deps.failure, logger, now: options.now },
        backChannelOptions,
      ),
  };
}
