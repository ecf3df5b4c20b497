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

  it("when full, one customer's sign-ins push out only their own sessions", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0, maxSessions: 5 });
    for (const id of ["v1", "v2", "v3"]) await store.set(id, record(clock, "cus_victim"));
    await store.set("a0", record(clock, "cus_attacker"));
    await store.set("a1", record(clock, "cus_attacker"));
    // The same token replayed many times, with no per-customer cap asked for.
    for (let i = 2; i < 1000; i++) await store.set(`a${i}`, record(clock, "cus_attacker"));
    expect(store.size).toBe(5);
    expect((await store.listByCustomer("cus_victim")).map(([id]) => id)).toEqual([
      "v1",
      "v2",
      "v3",
    ]);
    expect((await store.listByCustomer("cus_attacker")).map(([id]) => id)).toEqual([
      "a998",
      "a999",
    ]);
  });

  it("caps a customer's sessions when asked, resolving the ids it ended", async () => {
    const clock = createClock();
    const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
    const limits = { maxPerCustomer: 2 };
    expect(await store.set("a", record(clock), limits)).toEqual([]);
    expect(await store.set("b", record(clock), limits)).toEqual([]);
    expect(await store.set("c", record(clock), limits)).toEqual(["a"]);
    expect(await store.set("x", record(clock, "cus_2"), limits)).toEqual([]);
    expect(await store.get("a")).toBeNull();
    expect(store.size).toBe(3);
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
