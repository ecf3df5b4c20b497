import { SessionStoreError } from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import { StoreTimeoutError } from "../../lib/session/deadlines.js";
import { GuardedStore } from "../../lib/session/guarded-store.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import { bareStore } from "../support/fake-stores.js";

function guarded(store = bareStore(), timeout = 100) {
  const events: SessionEvent[] = [];
  return { guard: new GuardedStore(store, timeout, (e) => void events.push(e)), events };
}
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

it("passes a value through, also a plain (non-promise) one", async () => {
  const { guard, events } = guarded();
  await expect(guard.call("get", async () => "a")).resolves.toBe("a");
  await expect(guard.call("get", () => "b")).resolves.toBe("b");
  expect(events).toEqual([]);
});

it.each<[string, () => unknown]>([
  ["a rejection", () => Promise.reject(new Error("down"))],
  [
    "a throw",
    () => {
      throw new Error("down");
    },
  ],
])("%s becomes SessionStoreError with the cause, and a store.error event", async (_, run) => {
  const { guard, events } = guarded();
  const error = await failure(guard.call("set", run));
  expect(error).toBeInstanceOf(SessionStoreError);
  expect(error).toMatchObject({ code: "BFF_STORE_FAILED", operation: "set" });
  expect((error as Error).cause).toEqual(new Error("down"));
  expect(events).toEqual([{ type: "store.error", operation: "set", error: new Error("down") }]);
});

describe("a store that does not answer", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("fails after the timeout with SessionStoreError (cause StoreTimeoutError) and store.error", async () => {
    const { guard, events } = guarded(bareStore(), 100);
    const error = failure(guard.call("touch", () => new Promise(() => {})));
    await jest.advanceTimersByTimeAsync(99);
    expect(events).toEqual([]);
    await jest.advanceTimersByTimeAsync(26);
    const got = await error;
    expect(got).toBeInstanceOf(SessionStoreError);
    expect((got as Error).cause).toBeInstanceOf(StoreTimeoutError);
    expect(events).toEqual([
      { type: "store.error", operation: "touch", error: expect.any(StoreTimeoutError) },
    ]);
  });

  it("the memory store is never timed: nothing of its own waits on I/O", async () => {
    const { guard, events } = guarded(new MemorySessionStore({ sweepInterval: 0 }), 100);
    let settled = false;
    const pending = new Promise<string>((resolve) => setTimeout(() => resolve("late"), 1000));
    void guard.call("get", () => pending).then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(1000);
    expect(settled).toBe(true);
    expect(events).toEqual([]);
  });
});
