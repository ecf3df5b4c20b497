import { UpstreamError } from "../../lib/errors/errors.js";
import { Slots } from "../../lib/upstream/slots.js";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** The order in which waiters were granted, and how each failed. */
function track(slots: Slots, n: number) {
  const granted: number[] = [];
  const failed: unknown[] = [];
  for (let i = 0; i < n; i++) {
    slots.acquire()!.then(
      () => granted.push(i),
      (error: unknown) => failed.push(error),
    );
  }
  return { granted, failed };
}

it("grants free slots at once, without a promise", () => {
  const slots = new Slots(2, 100);
  expect(slots.acquire()).toBeUndefined();
  expect(slots.acquire()).toBeUndefined();
  expect(slots.acquire()).toBeInstanceOf(Promise);
});

it("grants freed slots to waiters in the order they came", async () => {
  const slots = new Slots(1, 1000);
  slots.acquire();
  const { granted } = track(slots, 3);
  slots.release();
  slots.release();
  await Promise.resolve();
  expect(granted).toEqual([0, 1]);
  slots.release();
  await Promise.resolve();
  expect(granted).toEqual([0, 1, 2]);
});

it("a slot released while others wait goes to the longest waiter, not to the pool", async () => {
  const slots = new Slots(1, 1000);
  slots.acquire();
  const { granted } = track(slots, 1);
  slots.release(); // to the waiter, not to the pool
  expect(slots.acquire()).toBeInstanceOf(Promise);
  await Promise.resolve();
  expect(granted).toEqual([0]);
});

it("rejects a waiter with BFF_UPSTREAM_BUSY after queueTimeout, and forgets it", async () => {
  const slots = new Slots(1, 100);
  slots.acquire();
  const { granted, failed } = track(slots, 2);
  jest.advanceTimersByTime(99);
  await Promise.resolve();
  expect(failed).toEqual([]);
  jest.advanceTimersByTime(1);
  await Promise.resolve();
  expect(failed).toHaveLength(2);
  expect(failed[0]).toBeInstanceOf(UpstreamError);
  expect(failed[0]).toMatchObject({ code: "BFF_UPSTREAM_BUSY", status: 503 });
  // The slot comes back to the pool, not to a waiter that has gone.
  slots.release();
  expect(slots.acquire()).toBeUndefined();
  expect(granted).toEqual([]);
});

it("a release after a waiter timed out does not grant more slots than there are", async () => {
  const slots = new Slots(1, 100);
  expect(slots.acquire()).toBeUndefined();
  const { failed } = track(slots, 1);
  jest.advanceTimersByTime(100);
  await Promise.resolve();
  expect(failed).toHaveLength(1);
  slots.release();
  expect(slots.acquire()).toBeUndefined();
  // Capacity 1, one holder: the next one waits.
  expect(slots.acquire()).toBeInstanceOf(Promise);
});

it("a granted waiter's timer is cleared: it is never rejected later", async () => {
  const slots = new Slots(1, 100);
  slots.acquire();
  const { granted, failed } = track(slots, 1);
  slots.release();
  jest.advanceTimersByTime(1000);
  await Promise.resolve();
  expect(granted).toEqual([0]);
  expect(failed).toEqual([]);
  expect(jest.getTimerCount()).toBe(0);
});
