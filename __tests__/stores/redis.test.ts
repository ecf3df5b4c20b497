import type Redis from "ioredis";
import request from "supertest";
import { RedisSessionStore, type SessionRecord } from "../../lib/index.js";
import { buildApp, cookiePair, setCookie, signToken } from "../helpers.js";
import { deleteKeys, describeRedis, ioredisClient, uniquePrefix } from "../support/redis.js";

describe("RedisSessionStore setup", () => {
  it.each([undefined, null, {}, { get() {} }])("refuses %p as a client", (client) => {
    expect(() => new RedisSessionStore({ client: client as never })).toThrow(/option "client"/);
  });
});

describeRedis("RedisSessionStore on the real Redis", () => {
  let io: Redis;
  const prefix = uniquePrefix("redis");
  beforeAll(() => {
    io = ioredisClient();
  });
  afterAll(async () => {
    await deleteKeys(io, prefix);
    await io.quit();
  });

  function rec(now: number, idle: number, absolute: number): SessionRecord {
    return {
      customerId: "cus_layout",
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + idle,
      absoluteExpiresAt: now + absolute,
    };
  }

  it("keeps the documented key layout, with TTLs to the record's deadlines", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    const now = Date.now();
    await store.set("sid1", rec(now, 60_000, 600_000));
    expect(JSON.parse((await io.get(`${prefix}s:sid1`))!)).toMatchObject({
      customerId: "cus_layout",
    });
    const ttl = await io.pttl(`${prefix}s:sid1`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await io.zscore(`${prefix}c:cus_layout`, "sid1")).toBe(String(now + 600_000));
    const indexTtl = await io.pttl(`${prefix}c:cus_layout`);
    expect(indexTtl).toBeGreaterThan(595_000);
    expect(indexTtl).toBeLessThanOrEqual(600_000);
  });

  it("takes the absolute deadline as TTL when it comes first, and never shortens the index", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    const now = Date.now();
    await store.set("sid2", rec(now, 600_000, 30_000));
    expect(await io.pttl(`${prefix}s:sid2`)).toBeLessThanOrEqual(30_000);
    expect(await io.pttl(`${prefix}c:cus_layout`)).toBeGreaterThan(500_000);
  });

  it("removes a destroyed session from its customer's index", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    await store.set("sid3", rec(Date.now(), 60_000, 600_000));
    await store.destroy("sid3");
    expect(await io.exists(`${prefix}s:sid3`)).toBe(0);
    expect(await io.zscore(`${prefix}c:cus_layout`, "sid3")).toBeNull();
  });

  it("prunes index members whose session expired on its own", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    await store.set("sid4", rec(Date.now(), 60_000, 600_000));
    await io.del(`${prefix}s:sid4`);
    expect((await store.listByCustomer("cus_layout")).map(([id]) => id)).not.toContain("sid4");
    expect(await io.zscore(`${prefix}c:cus_layout`, "sid4")).toBeNull();
  });

  it("treats a corrupted record as no session: 401, deleted, reported", async () => {
    const store = new RedisSessionStore({ client: io, prefix: `${prefix}corrupt:` });
    const t = buildApp({ sessions: store, now: Date.now });
    const res = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    const cookie = cookiePair(setCookie(res.headers));
    const [key] = await io.keys(`${prefix}corrupt:s:*`);
    for (const garbage of ["not json", "[]", '{"customerId":""}', '{"customerId":"cus_123"}']) {
      await io.set(key!, garbage);
      const me = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
      expect(me.status).toBe(401);
      expect(await io.exists(key!)).toBe(0);
    }
    expect(t.events.filter((e) => e.type === "store.error")).toHaveLength(4);
  });
});
