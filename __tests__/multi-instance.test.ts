import { randomUUID } from "node:crypto";
import request from "supertest";
import { MemorySessionStore, RedisSessionStore, type SessionStore } from "../lib/index.js";
import { buildApp, createClock, RecordingStore, type TestApp, signIn } from "./helpers.js";
import { describeRedis, uniquePrefix, useRedisClients } from "./support/redis.js";

const MINUTE = 60_000;

const me = (t: TestApp, cookie: string) =>
  request(t.app).get("/store/customers/me").set("Cookie", cookie);

/** A store whose reads can be held after they were made: the slow request of connect-redis#328. */
class SlowReads extends RecordingStore {
  hold: Promise<void> | undefined;
  private reached: (() => void) | undefined;
  /** Resolves once a read has been made and is being held. */
  readonly held = new Promise<void>((resolve) => (this.reached = resolve));
  override async get(id: string) {
    const record = await super.get(id);
    const hold = this.hold;
    if (hold) {
      this.hold = undefined;
      this.reached!();
      await hold;
    }
    return record;
  }
}

function lifecycleSuite(
  label: string,
  makeStore: (clock: ReturnType<typeof createClock>) => SessionStore,
) {
  describe(`session lifecycle on ${label}`, () => {
    it("a request that read the session before logout cannot revive it", async () => {
      const clock = createClock();
      const store = new SlowReads(makeStore(clock) as MemorySessionStore);
      const t = buildApp({ sessions: store }, clock);
      const cookie = await signIn(t);
      clock.advance(20 * MINUTE); // past the touch interval: the slow request will write
      let release!: () => void;
      store.hold = new Promise((resolve) => (release = resolve));
      const slow = me(t, cookie).then((r) => r);
      await store.held;
      expect((await request(t.app).delete("/auth/session").set("Cookie", cookie)).status).toBe(200);
      release();
      expect((await slow).status).toBe(401);
      expect(store.count("touch")).toBe(1);
      expect((await me(t, cookie)).status).toBe(401);
      expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
    });

    it("a handler still running at logout does not revive the session when it finishes", async () => {
      const clock = createClock();
      const t = buildApp({ sessions: makeStore(clock) }, clock);
      let release!: () => void;
      let entered!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      t.app.get("/slow", t.router.authenticate(), async (_req, res) => {
        entered();
        await gate;
        res.json({ done: true });
      });
      const cookie = await signIn(t);
      clock.advance(20 * MINUTE);
      const slow = request(t.app)
        .get("/slow")
        .set("Cookie", cookie)
        .then((r) => r);
      await inHandler;
      expect((await request(t.app).delete("/auth/session").set("Cookie", cookie)).status).toBe(200);
      release();
      expect((await slow).status).toBe(200);
      expect((await me(t, cookie)).status).toBe(401);
    });

    it("writes the store at most once in 100 requests inside one touch interval", async () => {
      const clock = createClock();
      const store = new RecordingStore(makeStore(clock) as MemorySessionStore);
      const t = buildApp({ sessions: store }, clock);
      const cookie = await signIn(t);
      for (let i = 0; i < 100; i++) {
        expect((await me(t, cookie)).status).toBe(200);
        clock.advance(5000); // 100 × 5 s < the 12-minute default interval
      }
      expect(store.count("touch")).toBeLessThanOrEqual(1);
      expect(store.count("set")).toBe(1);
    });

    it("caps one customer's sessions: a flood of sign-ins ends only that customer's oldest", async () => {
      const clock = createClock();
      const t = buildApp({ sessions: makeStore(clock), session: { maxPerCustomer: 3 } }, clock);
      t.customers.set("cus_other", { ...t.customers.get("cus_123")!, id: "cus_other" });
      const other = await signIn(t, "other", "cus_other");
      const cookies: string[] = [];
      for (let i = 0; i < 20; i++) {
        clock.advance(1000);
        cookies.push(await signIn(t, `device ${i}`));
      }
      const statuses = await Promise.all(cookies.map(async (c) => (await me(t, c)).status));
      expect(statuses).toEqual([...Array<number>(17).fill(401), 200, 200, 200]);
      expect((await t.router.listCustomerSessions("cus_123")).map((s) => s.userAgent)).toEqual([
        "device 19",
        "device 18",
        "device 17",
      ]);
      expect((await me(t, other)).status).toBe(200);
      const limited = t.events.filter(
        (e) => e.type === "session.destroyed" && e.reason === "limit",
      );
      expect(limited).toHaveLength(17);
      expect(limited.every((e) => "customerId" in e && e.customerId === "cus_123")).toBe(true);
    });

    it("caps at 10 by default", async () => {
      const clock = createClock();
      const t = buildApp({ sessions: makeStore(clock) }, clock);
      for (let i = 0; i < 12; i++) await signIn(t);
      expect(await t.router.listCustomerSessions("cus_123")).toHaveLength(10);
    });

    it("ends idle and absolute sessions by the injected clock", async () => {
      const clock = createClock();
      const t = buildApp({ sessions: makeStore(clock) }, clock);
      const idle = await signIn(t);
      clock.advance(2 * 60 * MINUTE);
      expect((await me(t, idle)).status).toBe(401);
      const busy = await signIn(t);
      for (let i = 0; i < 10; i++) {
        clock.advance(59 * MINUTE);
        await me(t, busy);
      }
      clock.advance(11 * MINUTE);
      expect((await me(t, busy)).status).toBe(401);
    });
  });
}

lifecycleSuite(
  "MemorySessionStore",
  (clock) => new MemorySessionStore({ now: clock.now, sweepInterval: 0 }),
);

describeRedis("many instances on one Redis", () => {
  const prefix = uniquePrefix("multi");
  const redis = useRedisClients(prefix);

  lifecycleSuite(
    "RedisSessionStore",
    (clock) =>
      // A prefix per case: each starts with no sessions of the customer.
      new RedisSessionStore({
        client: redis.io,
        prefix: `${prefix}life:${randomUUID()}:`,
        now: clock.now,
      }),
  );

  const prefixes = new WeakMap<TestApp, string>();
  const pfx = (t: TestApp) => prefixes.get(t)!;

  function twoInstances() {
    const clock = createClock(Date.now());
    const p = `${prefix}${Math.random().toString(36).slice(2)}:`;
    // Instance A speaks ioredis, instance B node-redis: the same keys either way.
    const a = buildApp({ sessions: new RedisSessionStore({ client: redis.io, prefix: p }) }, clock);
    const b = buildApp(
      { sessions: new RedisSessionStore({ client: redis.node, prefix: p }) },
      clock,
    );
    prefixes.set(a, p);
    prefixes.set(b, p);
    return { a, b };
  }

  it("a login on A authenticates on B, and a logout on B ends it on A", async () => {
    const { a, b } = twoInstances();
    const cookie = await signIn(a);
    expect((await me(b, cookie)).body.customer_id).toBe("cus_123");
    expect((await request(b.app).delete("/auth/session").set("Cookie", cookie)).status).toBe(200);
    expect((await me(a, cookie)).status).toBe(401);
  });

  it("revoking on A ends every session of the customer on both", async () => {
    const { a, b } = twoInstances();
    const cookies = [
      await signIn(a, "phone"),
      await signIn(a, "laptop"),
      await signIn(b, "tablet"),
    ];
    expect(await a.router.revokeCustomerSessions("cus_123")).toBe(3);
    for (const cookie of cookies) {
      expect((await me(a, cookie)).status).toBe(401);
      expect((await me(b, cookie)).status).toBe(401);
    }
    expect(await b.router.listCustomerSessions("cus_123")).toEqual([]);
    expect(a.events.at(-1)).toEqual({ type: "session.revoked", customerId: "cus_123", count: 3 });
  });

  it("a sign-in listed while its session write has not landed is not lost for revocation", async () => {
    const { a, b } = twoInstances();
    // Instance A's sign-in: the index write has landed, the session write not yet.
    const index = `${pfx(a)}c:cus_123`;
    const pending = "P".repeat(43);
    await redis.io.zadd(index, Date.now() + 3600_000, pending);
    // Instance B lists meanwhile: the pending session is not live yet, so not listed...
    expect(await b.router.listCustomerSessions("cus_123")).toEqual([]);
    // ...but it stays in the index, so once written it is listed and revoked.
    const now = Date.now();
    await redis.io.set(
      `${pfx(a)}s:${pending}`,
      JSON.stringify({
        sid: pending,
        customerId: "cus_123",
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 600_000,
        absoluteExpiresAt: now + 3600_000,
      }),
      "PX",
      600_000,
    );
    expect((await b.router.listCustomerSessions("cus_123")).map((s) => s.sessionId)).toEqual([
      pending,
    ]);
    expect(await b.router.revokeCustomerSessions("cus_123")).toBe(1);
    expect(await redis.io.exists(`${pfx(a)}s:${pending}`)).toBe(0);
  });

  it("revokeCustomerSessions ends a session written while its first list was read", async () => {
    const { a, b } = twoInstances();
    const late = await signIn(a, "late");
    const id = (await me(a, late)).body.session_id as string;
    // Hold the session back from the first list, as if its write landed just after it.
    const raw = await redis.io.get(`${pfx(a)}s:${id}`);
    await redis.io.del(`${pfx(a)}s:${id}`);
    let lists = 0;
    const listing = jest
      .spyOn(RedisSessionStore.prototype, "listByCustomer")
      .mockImplementation(async function (this: RedisSessionStore, customerId: string) {
        listing.mockRestore();
        const first = await this.listByCustomer(customerId);
        lists++;
        await redis.io.set(`${pfx(a)}s:${id}`, raw!, "PX", 600_000);
        return first;
      });
    expect(await b.router.revokeCustomerSessions("cus_123")).toBe(1);
    expect(lists).toBe(1);
    expect((await me(a, late)).status).toBe(401);
  });

  it("revokes all but the current session with except", async () => {
    const { a, b } = twoInstances();
    const keep = await signIn(a, "keep");
    const other = await signIn(b, "other");
    const current = (await me(a, keep)).body.session_id as string;
    expect(await b.router.revokeCustomerSessions("cus_123", { except: current })).toBe(1);
    expect((await me(b, keep)).status).toBe(200);
    expect((await me(a, other)).status).toBe(401);
  });

  it("revokeSession ends one device's session on every instance, and only that one", async () => {
    const { a, b } = twoInstances();
    const phone = await signIn(
      a,
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    );
    const laptop = await signIn(
      b,
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    );
    const list = await a.router.listCustomerSessions("cus_123");
    expect(list.map((s) => s.device).sort()).toEqual([
      "Firefox on Windows",
      "Safari on iOS (mobile)",
    ]);
    const target = list.find((s) => s.device?.startsWith("Safari"))!.sessionId;
    expect(await b.router.revokeSession(target)).toBe(true);
    expect((await me(a, phone)).status).toBe(401);
    expect((await me(a, laptop)).status).toBe(200);
    expect(await b.router.revokeSession(target)).toBe(false);
    expect(await b.router.revokeSession("not-a-session-id")).toBe(false);
    expect(b.events).toContainEqual(
      expect.objectContaining({
        type: "session.destroyed",
        reason: "revoked",
        customerId: "cus_123",
      }),
    );
  });

  it("lists a customer's sessions with metadata and no tokens", async () => {
    const { a, b } = twoInstances();
    const c1 = await signIn(a, "Firefox");
    a.clock.advance(1000);
    const c2 = await signIn(b, "Safari");
    const list = await a.router.listCustomerSessions("cus_123");
    expect(list.map((s) => s.userAgent)).toEqual(["Safari", "Firefox"]);
    for (const info of list) {
      expect(Object.keys(info).sort()).toEqual([
        "absoluteExpiresAt",
        "createdAt",
        "customerId",
        "device",
        "expiresAt",
        "idleExpiresAt",
        "lastSeenAt",
        "sessionId",
        "userAgent",
      ]);
      expect(info.customerId).toBe("cus_123");
      expect(info.expiresAt.getTime()).toBe(info.idleExpiresAt.getTime());
    }
    const json = JSON.stringify(list);
    for (const cookie of [c1, c2]) expect(json).not.toContain(cookie.split("=")[1]!);
  });
});
