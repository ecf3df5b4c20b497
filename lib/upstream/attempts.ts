import { hash } from "node:crypto";
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { SessionStoreError } from "../errors/internal-errors.js";
import type { Logger, SessionEvent } from "../events.js";
import type { ResolvedSignInLimits } from "../options.js";
import type { SessionStore } from "../stores/session-store.js";

/** What a sign-in attempt learned before it was forwarded. */
export type AttemptGate =
  | { allowed: true; settle(outcome: "succeeded" | "failed" | "neither"): Promise<void> }
  | { allowed: false; retryAfter: number; by: "identifier" | "ip" };

/**
 * Failed password attempts, counted per account identifier and per client IP with
 * rate-limiter-flexible in the session store's backend (`SessionStore.attemptLimiter`), so
 * that every instance shares the count.
 *
 * An attempt takes its point before it is forwarded, so concurrent guesses cannot all slip
 * through before the first failure is counted. A success clears the identifier's count and
 * gives the IP its point back; an answer that says nothing about the password (a 5xx, a
 * malformed request) gives both back.
 */
export class SignInAttempts {
  private readonly byIdentifier: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;

  constructor(
    store: SessionStore,
    limits: ResolvedSignInLimits,
    private readonly report: (event: SessionEvent) => void,
    logger: Logger,
  ) {
    const limiter = (name: string, { attempts, window }: { attempts: number; window: number }) => {
      const options = {
        keyPrefix: `bff:attempts:${name}`,
        points: attempts,
        duration: Math.ceil(window / 1000),
      };
      return typeof store.attemptLimiter === "function"
        ? store.attemptLimiter(options)
        : new RateLimiterMemory(options);
    };
    if (typeof store.attemptLimiter !== "function") {
      logger.warn(
        {},
        "bff-session: this session store has no attemptLimiter(); failed sign-ins are counted per process, not shared between instances",
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
    const taken: Array<[RateLimiterAbstract, string]> = [];
    try {
      for (const [limiter, key, by] of [
        [this.byIp, ipKey, "ip"],
        [this.byIdentifier, idKey, "identifier"],
      ] as const) {
        if (key === undefined) continue;
        const refused = await consume(limiter, key);
        if (refused !== undefined) {
          // The point taken from the other counter was not an attempt: it never reached the backend.
          await Promise.all(taken.map(([l, k]) => l.reward(k, 1)));
          const retryAfter = Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
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
          await this.byIp.reward(ipKey, 1);
          if (idKey === undefined) return;
          if (outcome === "succeeded") await this.byIdentifier.delete(idKey);
          else await this.byIdentifier.reward(idKey, 1);
        } catch (error) {
          // The answer is already decided; a count that stays one too high is the safe side.
          this.report({ type: "store.error", operation: "attempts", error });
        }
      },
    };
  }
}

/** Consumes one point; resolves the limiter's answer when it refuses, undefined when it allows. */
async function consume(
  limiter: RateLimiterAbstract,
  key: string,
): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key, 1);
    return undefined;
  } catch (result) {
    // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error
    // when its backend fails.
    if (result instanceof RateLimiterRes) return result;
    throw result;
  }
}
