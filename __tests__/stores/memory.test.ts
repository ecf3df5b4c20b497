import { MemorySessionStore, type SessionRecord } from "../../lib/index.js";
import { createClock } from "../helpers.js";

function record(clock: { now(): number }, customerId = "cus_1", ttl = 60_000): SessionRecord {
  const now = clock.now();
  return {
    customerId,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + ttl,
    absoluteExpiresAt: now + 10 * ttl,
  };
}

describe("MemorySessionStore", () => {
  it("expires each entry at its own deadline", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
    await store.set("a", record(clock, "cus_1", 1000));
    await store.set("b", record(clock, "cus_1", 5000));
    clock.advance(1000);
    expect(await store.get("a")).toBeNull();
    expect(await store.get("b")).not.toBeNull();
  });

  it("sweeps expired entries and used token ids", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
    for (let i = 0; i < 10; i++) await store.set(`s${i}`, record(clock, "cus_1", 1000 * (i + 1)));
    await store.consumeTokenId("jti", clock.now() + 500);
    clock.advance(5500);
    store.sweep();
    expect(store.size).toBe(5);
    expect(await store.consumeTokenId("jti", clock.now() + 500)).toBe(true);
  });

  it("evicts the oldest session past maxSessions", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0, maxSessions: 3 });
    for (const id of ["a", "b", "c", "d"]) await store.set(id, record(clock));
    expect(store.size).toBe(3);
    expect(await store.get("a")).toBeNull();
    expect(await store.get("d")).not.toBeNull();
    expect((await store.listByCustomer("cus_1")).map(([id]) => id).sort()).toEqual(["b", "c", "d"]);
  });

  it("never lets touch bring back a destroyed session", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
    const r = record(clock);
    await store.set("a", r);
    await store.destroy("a");
    expect(await store.touch("a", { ...r, lastSeenAt: clock.now() + 1 })).toBe(false);
    expect(await store.get("a")).toBeNull();
  });

  it("keeps a frozen copy, so callers cannot mutate what it holds", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
    const r = record(clock);
    await store.set("a", r);
    r.customerId = "cus_evil";
    const got = (await store.get("a"))!;
    expect(() => {
      got.customerId = "cus_evil";
    }).toThrow(TypeError);
    expect((await store.get("a"))!.customerId).toBe("cus_1");
  });

  it("validates its options", () => {
    expect(() => new MemorySessionStore({ maxSessions: 0 })).toThrow(/maxSessions/);
    expect(() => new MemorySessionStore({ sweepInterval: -1 })).toThrow(/sweepInterval/);
  });

  it("warns once when used under NODE_ENV=production", async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    const warn = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      await jest.isolateModulesAsync(async () => {
        const { MemorySessionStore: Fresh } = await import("../../lib/stores/memory.js");
        new Fresh({ sweepInterval: 0 });
        new Fresh({ sweepInterval: 0 });
      });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![1]).toEqual({ code: "BFF_SESSION_MEMORY_STORE" });
    } finally {
      warn.mockRestore();
      process.env.NODE_ENV = previous;
    }
  });
});
