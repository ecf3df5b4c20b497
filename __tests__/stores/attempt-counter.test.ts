import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import {
  limiterOptions,
  memoryAttemptCounter,
  rateLimiterCounter,
} from "../../lib/stores/attempt-counter.js";
import { MemorySessionStore } from "../../lib/index.js";

describe("limiterOptions", () => {
  it("turns attempts per window (ms) into points per whole seconds, never shorter", () => {
    expect(limiterOptions({ keyPrefix: "p", attempts: 3, window: 15 * 60_000 })).toEqual({
      keyPrefix: "p",
      points: 3,
      duration: 900,
    });
    expect(limiterOptions({ keyPrefix: "p", attempts: 1, window: 1500 }).duration).toBe(2);
    expect(limiterOptions({ keyPrefix: "p", attempts: 1, window: 10 }).duration).toBe(1);
  });
});

describe("rateLimiterCounter", () => {
  const limiter = (consume: () => Promise<unknown>) =>
    ({
      consume,
      reward: jest.fn(async () => undefined),
      delete: jest.fn(async () => true),
    }) as unknown as RateLimiterAbstract & { reward: jest.Mock; delete: jest.Mock };

  it("a refusal (a RateLimiterRes) resolves allowed: false with the wait", async () => {
    const counter = rateLimiterCounter(
      limiter(async () => Promise.reject(new RateLimiterRes(0, 4_000, 5, false))),
    );
    await expect(counter.consume("k")).resolves.toEqual({ allowed: false, msBeforeNext: 4_000 });
  });

  it("an allowed attempt resolves allowed: true", async () => {
    const counter = rateLimiterCounter(limiter(async () => new RateLimiterRes(2, 9_000, 1, true)));
    await expect(counter.consume("k")).resolves.toEqual({ allowed: true, msBeforeNext: 9_000 });
  });

  it("a failure of the backend rejects: no attempt goes uncounted silently", async () => {
    const down = new Error("connection refused");
    const counter = rateLimiterCounter(limiter(async () => Promise.reject(down)));
    await expect(counter.consume("k")).rejects.toBe(down);
  });

  it("reward gives back one point, delete forgets the key", async () => {
    const l = limiter(async () => undefined);
    const counter = rateLimiterCounter(l);
    await counter.reward("k");
    await counter.delete("j");
    expect(l.reward.mock.calls).toEqual([["k", 1]]);
    expect(l.delete.mock.calls).toEqual([["j"]]);
  });
});

describe("the memory counter", () => {
  afterEach(() => jest.useRealTimers());

  it("starts counting again once the window is over", async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const counter = memoryAttemptCounter({ keyPrefix: "t", attempts: 1, window: 2_000 });
    expect((await counter.consume("k")).allowed).toBe(true);
    const refused = await counter.consume("k");
    expect(refused).toEqual({ allowed: false, msBeforeNext: 2_000 });
    jest.advanceTimersByTime(2_001);
    expect((await counter.consume("k")).allowed).toBe(true);
  });

  it("is what MemorySessionStore hands out: counters of one store are kept apart by prefix", async () => {
    const store = new MemorySessionStore({ sweepInterval: 0 });
    const a = store.attemptCounter({ keyPrefix: "a", attempts: 1, window: 60_000 });
    const b = store.attemptCounter({ keyPrefix: "b", attempts: 1, window: 60_000 });
    expect([(await a.consume("k")).allowed, (await a.consume("k")).allowed]).toEqual([true, false]);
    expect((await b.consume("k")).allowed).toBe(true);
  });
});
