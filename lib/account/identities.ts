import { createHmac } from "node:crypto";
import type { SessionEvent } from "../events.js";
import type { GuardedStore } from "../session/guarded-store.js";

/**
 * Which customer an account identifier belongs to, as the BFF saw it at sign-in: what a
 * password reset needs, since Medusa's reset token names the identity (`entity_id`, the email
 * for emailpass, and `provider`), never the customer.
 *
 * Two small records beside the sessions (`SessionStore.setRecord`), shared by every instance:
 *
 * - `account:id:<HMAC(provider, identifier)>` → the auth identity (`auth_identity_id`),
 *   written at each password sign-in or registration whose answer carries a token, pending or
 *   not (a sign-in waiting for MFA, a registration, already name the identity);
 * - `account:ai:<HMAC(auth identity)>` → the customer, written whenever a kept token names
 *   both (any sign-in, MFA step or registration completed through the BFF).
 *
 * The store never holds an email address: the identifier, exactly as sent (the backend keeps it
 * so), is keyed with an HMAC-SHA256 under the same secret as the attempt counters. The store
 * adds its own prefix to the keys (`bff:r:` in Redis). Both records live as long as a session
 * begun at that sign-in can (`session.absoluteTimeout`) and are renewed at every sign-in: a
 * mapping is only needed while a session it could end may be alive. A sign-in still waiting
 * for a later step (MFA, verification) may complete as late as its pending session lives, and
 * that step does not carry the identifier: its identifier record lives twice as long.
 */
/** The names an account goes by: its auth identity, and its identifier at a provider. */
export interface AccountNames {
  authIdentityId?: string | undefined;
  provider?: string | undefined;
  identifier?: string | undefined;
}

export class AccountIdentities {
  constructor(
    private readonly deps: {
      store: GuardedStore;
      /** The HMAC key of the record keys, the same on every instance. */
      secret: string | Buffer;
      /** How long a record lives after its last sign-in, in milliseconds. */
      lifetime: number;
      now: () => number;
      report: (event: SessionEvent) => void;
    },
  ) {}

  /**
   * Remembers what a token kept at sign-in says: the identifier it was asked for (a password
   * sign-in's `email` or `username`) → its auth identity, and that identity → its customer.
   * A failure is reported and swallowed: the sign-in has succeeded already.
   */
  async signedIn(sign: {
    provider: string;
    identifier: string | undefined;
    authIdentityId: string | undefined;
    customerId: string;
  }): Promise<void> {
    const { authIdentityId, customerId } = sign;
    if (authIdentityId === undefined || authIdentityId === "") return;
    const { lifetime } = this.deps;
    const pending = customerId === "";
    const writes: Array<Promise<void>> = [];
    if (sign.identifier !== undefined) {
      const key = this.identifierKey(sign.provider, sign.identifier);
      writes.push(this.set(key, authIdentityId, pending ? 2 * lifetime : lifetime));
    }
    if (!pending) writes.push(this.set(this.identityKey(authIdentityId), customerId, lifetime));
    // GuardedStore has reported a failure as `store.error` already.
    await Promise.all(writes).catch(() => undefined);
  }

  /**
   * Marks an account's password as changed now, for `window` milliseconds, under each name
   * given: its identifier (what the reset token names, whether or not it ever signed in
   * here) and its auth identity. A sign-in that began before and ends after must not start a
   * session ({@link changedAt}).
   */
  async markChanged(account: AccountNames, window: number): Promise<void> {
    const at = String(this.deps.now());
    await Promise.all(this.changeKeys(account).map((key) => this.set(key, at, window)));
  }

  /** When the account's password was last changed through the BFF, within the window. */
  async changedAt(account: AccountNames): Promise<number | undefined> {
    const marks = await Promise.all(this.changeKeys(account).map((key) => this.get(key)));
    const times = marks.filter((at): at is string => at !== null).map(Number);
    return times.length === 0 ? undefined : Math.max(...times);
  }

  /** The auth identity and the customer last seen signing in with this identifier, if any. */
  async find(
    provider: string,
    identifier: string,
  ): Promise<{ authIdentityId: string; customerId: string | undefined } | undefined> {
    const authIdentityId = await this.get(this.identifierKey(provider, identifier));
    if (authIdentityId === null) return undefined;
    const customerId = await this.get(this.identityKey(authIdentityId));
    return { authIdentityId, customerId: customerId ?? undefined };
  }

  private identifierKey(provider: string, identifier: string): string {
    // Exactly as sent: Medusa's emailpass keeps the e-mail as given, so `JANE@example.com` is
    // another identity than `jane@example.com`, and a look-alike account must neither take the
    // record of the real one (its reset would then end nothing) nor end its sessions.
    return `account:id:${this.hmac(`id:${provider}:${identifier}`)}`;
  }

  private identityKey(authIdentityId: string): string {
    return `account:ai:${this.hmac(`ai:${authIdentityId}`)}`;
  }

  private changeKeys({ authIdentityId, provider, identifier }: AccountNames): string[] {
    const keys: string[] = [];
    if (authIdentityId !== undefined && authIdentityId !== "")
      keys.push(`account:changed:ai:${this.hmac(`changed:ai:${authIdentityId}`)}`);
    if (provider !== undefined && identifier !== undefined)
      keys.push(`account:changed:id:${this.hmac(`changed:id:${provider}:${identifier}`)}`);
    return keys;
  }

  private hmac(value: string): string {
    return createHmac("sha256", this.deps.secret).update(value).digest("base64url");
  }

  private get(key: string): Promise<string | null> {
    const { store } = this.deps;
    return store.call("getRecord", () => store.store.getRecord!(key));
  }

  private set(key: string, value: string, lifetime: number): Promise<void> {
    const { store, now } = this.deps;
    return store.call("setRecord", () => store.store.setRecord!(key, value, now() + lifetime));
  }
}
