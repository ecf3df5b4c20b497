import { hash } from "node:crypto";
import { SessionStoreError } from "../errors/internal-errors.js";
import type { Logger, SessionEvent } from "../events.js";
import type { ResolvedSignInLimits } from "../options/upstream-types.js";
import { memoryAttemptCounter } from "../stores/attempt-counter.js";
import type { AttemptCounter, SessionStore } from "../stores/session-store.js";

/** What a sign-in attempt learned before it was forwarded. */
export type AttemptGate =
  | { allowed: true; settle(outcome: "succeeded" | "failed" | "neither"): Promise<void> }
  | { allowed: false; retryAfter: number; by: "identifier" | "ip" };

/**
 * Failed password attempts, counted per account identifier and per client IP with
 * rate-limiter-flexible in the session store's backend (`SessionStore.attemptCounter`), so
 * that every instance shares the count.
 *
 * An attempt takes its point before it is forwarded, so concurrent guesses cannot all slip
 * through before the first failure is counted. A success clears the identifier's count and
 * gives the IP its point back; an answer that says nothing about the password (a 5xx, a
 * malformed request) gives both back.
 */
export class SignInAttempts {
  private readonly byIdentifier: AttemptCounter;
  private readonly byIp: AttemptCounter;

  constructor(
    store: SessionStore,
    limits: ResolvedSignInLimits,
    private readonly report: (event: SessionEvent) => void,
    logger: Logger,
  ) {
    const limiter = (name: string, { attempts, window }: { attempts: number; window: number }) => {
      const options = { keyPrefix: `bff:attempts:${name}`, attempts, window };
      return typeof store.attemptCounter === "function"
        ? store.attemptCounter(options)
        : memoryAttemptCounter(options);
    };
    if (typeof store.attemptCounter !== "function") {
      logger.warn(
        {},
        "bff-session: this session store has no attemptCounter(); failed sign-ins are counted per process, not shared between instances",
      );
    }
    this.byIdentifier = limiter("id", limits.identifier);
    this.byIp = limiter("ip", limits.ip);
  }

  /**
   * Takes one attempt for `identifier` (the `email` or `username` of the body, if any) from
   * `ip`; resolves whether it may go on. Throws SessionStoreError when the counter's backend
   * fails: no attempt goes uncounted.
   */
  async begin(identifier: string | undefined, ip: string | undefined): Promise<AttemptGate> {
    // Hashed: the store holds no email addresses. Case and spaces do not make a new account.
    const idKey =
      identifier === undefined
        ? undefined
        : hash("sha256", identifier.trim().toLowerCase(), "base64url");
    const ipKey = ip ?? "unknown";
    const taken: Array<[AttemptCounter, string]> = [];
    try {
      for (const [limiter, key, by] of [
        [this.byIp, ipKey, "ip"],
        [this.byIdentifier, idKey, "identifier"],
      ] as const) {
        if (key === undefined) continue;
        const verdict = await limiter.consume(key);
        if (!verdict.allowed) {
          // The point taken from the other counter was not an attempt: it never reached the backend.
          await Promise.all(taken.map(([l, k]) => l.reward(k)));
          const retryAfter = Math.max(1, Math.ceil(verdict.msBeforeNext / 1000));
          this.report({ type: "signin.limited", by, retryAfter });
          return { allowed: false, retryAfter, by };
        }
        taken.push([limiter, key]);
      }
    } catch (error) {
      this.report({ type: "store.error", operation: "attempts", error });
      throw new SessionStoreError("attempts", { cause: error });
    }
    return {
      allowed: true,
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
}
