import { newDeadlines, type Lifetime } from "../../lib/session/lifetime.js";

const lifetime = (idle: number, absolute: number): Lifetime => ({
  idleTimeout: idle,
  absoluteTimeout: absolute,
  touchInterval: 1,
  storeTimeout: 1,
});

it("the idle and absolute deadlines of a session created now", () => {
  expect(newDeadlines(1000, lifetime(10, 100))).toEqual({
    idleExpiresAt: 1010,
    absoluteExpiresAt: 1100,
  });
});

it("an idle timeout longer than the absolute one stops at the absolute deadline", () => {
  expect(newDeadlines(1000, lifetime(500, 100))).toEqual({
    idleExpiresAt: 1100,
    absoluteExpiresAt: 1100,
  });
});
