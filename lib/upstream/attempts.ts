import { createHmac } from "node:crypto";
import { AttemptsLimitedError, SessionStoreError } from "../errors/errors.js";
import type { SessionEvent } from "../events.js";
import type { ResolvedSignInLimits } from "../options/upstream-types.js";
import { memoryAttemptCounter } from "../stores/attempt-counter.js";
import type { AttemptCounter, SessionStore } from "../stores/session-store.js";

/** What a sign-in attempt that may go on settles with, once the backend has answered. */
export interface AttemptGate {
  settle(outcome: "succeeded" | "failed" | "neither"): Promise<void>;
}

/**
 * Failed password attempts, counted per account identifier and per client IP in the session
 * store's backend (`SessionStore.attemptCounter`), so that every instance shares the count.
 *
 * The store never holds an email address or an IP: counters are keyed by an HMAC-SHA256 of
 * them under `upstream.signInLimits.secret` (or `cookie.secret`), so a leaked store cannot be
 * matched against a list of addresses. An attempt takes its point before it is forwarded, so
 * concurrent guesses cannot all slip through before the first failure is counted. A success
 * clears the identifier's count and gives the IP its point back; an answer that says nothing
 * about the password (a 5xx, a malformed request) gives both back.
 */
export class SignInAttempts {
  private readonly byIdentifier: AttemptCounter;
  private readonly byIp: AttemptCounter;
  /**
   * @param secret The HMAC key of the counter keys, `ResolvedOptions.secrets.hash`.
   */
  constructor(
    store: SessionStore,
    limits: ResolvedSignInLimits,
    private readonly secret: string,
    private readonly report: (event: SessionEvent) => void,
  ) {
    const counter = (name: string, { attempts, window }: { attempts: number; window: number }) => {
      const options = { keyPrefix: `attempts:${name}`, attempts, window };
      return store.attemptCounter?.(options) ?? memoryAttemptCounter(options);
    };
    this.byIdentifier = counter("id", limits.identifier);
    this.byIp = counter("ip", limits.ip);
  }

  /**
   * Takes one attempt for `identifier` (the body's `email` or `username`, if any) from `ip`.
   * Throws AttemptsLimitedError (429) past a limit, SessionStoreError when the counter's
   * backend fails: no attempt goes uncounted.
   */
  async begin(identifier: string | undefined, ip: string | undefined): Promise<AttemptGate> {
    // Case and spaces do not make a new account.
    const idKey =
      identifier === undefined ? undefined : this.key("id", identifier.trim().toLowerCase());
    const ipKey = this.key("ip", ip ?? "unknown");
    const taken: Array<[AttemptCounter, string]> = [];
    try {
      for (const [counter, key, by] of [
        [this.byIp, ipKey, "ip"],
        [this.byIdentifier, idKey, "identifier"],
      ] as const) {
        if (key === undefined) continue;
        const verdict = await counter.consume(key);
        if (!verdict.allowed) {
          // The point taken from the other counter was not an attempt: it never reached the backend.
          await Promise.all(taken.map(([c, k]) => c.reward(k)));
          const retryAfter = Math.max(1, Math.ceil(verdict.msBeforeNext / 1000));
          this.report({ type: "signin.limited", by, retryAfter });
          throw new AttemptsLimitedError(by, retryAfter);
        }
        taken.push([counter, key]);
      }
    } catch (error) {
      if (error instanceof AttemptsLimitedError) throw error;
      this.report({ type: "store.error", operation: "attempts", error });
      throw new SessionStoreError("attempts", { cause: error });
    }
    return {
      settle: async (outcome) => {
        try {
          if (outcome === "failed") return;
          await this.byIp.reward(ipKey);
          if (idKey === undefined) return;
          if (outcome === "succeeded") await this.byIdentifier.delete(idKey);
          else await this.byIdentifier.reward(idKey);
        } catch (error) {
          // The answer is already decided; a count that stays one too high is the safe side.
          this.report({ type: "store.error", operation: "attempts", error });
        }
      },
    };
  }

  private key(kind: "id" | "ip", value: string): string {
    return createHmac("sha256", this.secret).update(`${kind}:${value}`).digest("base64url");
  }
}
