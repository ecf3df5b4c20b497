import { createHash, createHmac } from "node:crypto";
import type { Logger } from "../logger.js";
import type { ResolvedSecrets } from "../options/types.js";
import type { GuardedStore } from "../session/guarded-store.js";
import type { SessionStore } from "../stores/session-store.js";

const KEY = "secrets:check";
const LIFETIME_MS = 24 * 3600_000;

type Records = Required<Pick<SessionStore, "getRecord" | "setRecord">>;

/**
 * Instances that share a session store must hash and sign alike. One given other secrets
 * (`cookie.secret`, `upstream.signInLimits.secret`) would count sign-in attempts under other
 * keys, find no identity another instance recorded and refuse its guest cart cookies, and
 * nothing would fail: each instance leaves a fingerprint of its secrets in a small record and
 * compares it with the one it finds there, saying once, as an error, when they differ.
 */
export class SecretsCheck {
  private readonly fingerprint: string;
  private readonly records: Records;
  private readonly reported = new Set<string>();

  constructor(
    private readonly guarded: GuardedStore,
    secrets: ResolvedSecrets,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {
    this.fingerprint = fingerprintOf(secrets);
    // createSessionRouter refuses a store without them when `upstream` is set.
    this.records = guarded.store as Records;
  }

  /** Resolves false when another instance has left other secrets' fingerprint. */
  async run(): Promise<boolean> {
    const { guarded, records } = this;
    const found = await guarded.call("getRecord", () => records.getRecord(KEY));
    // Written every time: the other instance finds this one's at its own next check.
    await guarded.call("setRecord", () =>
      records.setRecord(KEY, this.fingerprint, this.now() + LIFETIME_MS),
    );
    if (found === null || found === this.fingerprint) return true;
    if (!this.reported.has(found)) {
      this.reported.add(found);
      this.logger.error(
        {},
        'bff-session: another instance sharing this session store has other secrets ("cookie.secret", "upstream.signInLimits.secret"): sign-in attempt counts, password-change sign-outs and guest carts are not shared with it. Give every instance the same secrets (while a rotation rolls out, this is expected until every instance has the new ones).',
      );
    }
    return false;
  }
}

/** An HMAC under each secret of a fixed text: equal for equal secrets, and says nothing of them. */
function fingerprintOf(secrets: ResolvedSecrets): string {
  const mark = (key: string, what: string) =>
    createHmac("sha256", key).update(`bff-session:secrets-check:${what}`).digest();
  return createHash("sha256")
    .update(mark(secrets.hash, "hash"))
    .update(mark(secrets.cartCookie[0]!, "cart-cookie"))
    .digest("base64url");
}
