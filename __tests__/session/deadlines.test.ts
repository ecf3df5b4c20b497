import { Deadlines, StoreTimeoutError } from "../../lib/session/deadlines.js";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const never = () => new Promise<never>(() => {});
const outcome = (promise: Promise<unknown>) => {
  const seen: { value?: unknown; error?: unknown } = {};
  promise.then(
    (value) => (seen.value = value),
    (error: unknown) => (seen.error = error),
  );
  return seen;
};

it("passes a call's value and its error through", async () => {
  const deadlines = new Deadlines(100);
  await expect(deadlines.run("get", Promise.resolve(1))).resolves.toBe(1);
  await expect(deadlines.run("get", Promise.reject(new Error("x")))).rejects.toThrow("x");
});

it("rejects a call that did not settle, between timeout and 1.25 × timeout after it started", async () => {
  const deadlines = new Deadlines(100);
  const seen = outcome(deadlines.run("set", never()));
  await jest.advanceTimersByTimeAsync(99);
  expect(seen.error).toBeUndefined();
  await jest.advanceTimersByTimeAsync(26);
  expect(seen.error).toBeInstanceOf(StoreTimeoutError);
  expect((seen.error as Error).name).toBe("StoreTimeoutError");
});

it("never rejects a call that settled in time", async () => {
  const deadlines = new Deadlines(100);
  let resolve!: (v: string) => void;
  const seen = outcome(deadlines.run("get", new Promise<string>((r) => (resolve = r))));
  await jest.advanceTimersByTimeAsync(50);
  resolve("ok");
  await jest.advanceTimersByTimeAsync(500);
  expect(seen).toEqual({ value: "ok" });
});

it("one shared interval, torn down at the first tick with nothing in flight", async () => {
  const deadlines = new Deadlines(100);
  void deadlines.run("a", Promise.resolve());
  void deadlines.run("b", Promise.resolve());
  expect(jest.getTimerCount()).toBe(1);
  await jest.advanceTimersByTimeAsync(25);
  expect(jest.getTimerCount()).toBe(0);
});

it("ticks no more often than every 5 ms, even for tiny timeouts", async () => {
  const deadlines = new Deadlines(4);
  const seen = outcome(deadlines.run("get", never()));
  await jest.advanceTimersByTimeAsync(4);
  expect(seen.error).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  expect(seen.error).toBeInstanceOf(StoreTimeoutError);
});
