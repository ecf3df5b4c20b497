import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { AttemptCounter, AttemptCounterOptions } from "./session-store.js";

/**
 * rate-limiter-flexible's options for an {@link AttemptCounterOptions}: its windows are whole
 * seconds, so a window is rounded up (never shortened) to one.
 */
export function limiterOptions(options: AttemptCounterOptions): {
  keyPrefix: string;
  points: number;
  duration: number;
} {
  return {
    keyPrefix: options.keyPrefix,
    points: options.attempts,
    duration: Math.max(1, Math.ceil(options.window / 1000)),
  };
}

/**
 * Our {@link AttemptCounter} over any rate-limiter-flexible limiter (memory, Redis, PostgreSQL),
 * so that its types stay out of the public `SessionStore` interface.
 */
export function rateLimiterCounter(limiter: RateLimiterAbstract): AttemptCounter {
  return {
    async consume(key) {
      try {
        const result = await limiter.consume(key, 1);
        return { allowed: true, msBeforeNext: result.msBeforeNext };
      } catch (result) {
        // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an
        // Error when its backend fails: only the latter is a failure.
        if (result instanceof RateLimiterRes) {
          return { allowed: false, msBeforeNext: result.msBeforeNext };
        }
        throw result;
      }
    },
    async reward(key) {
      await limiter.reward(key, 1);
    },
    async delete(key) {
      await limiter.delete(key);
    },
  };
}

/** A counter in this process's memory: for the memory store, and for stores without one. */
export function memoryAttemptCounter(options: AttemptCounterOptions): AttemptCounter {
  return rateLimiterCounter(new RateLimiterMemory(limiterOptions(options)));
}
