import type Redis from "ioredis";
import request from "supertest";
import { RedisSessionStore, type SessionRecord } from "../../lib/index.js";
import { buildApp, cookiePair, createClock, setCookie, signToken } from "../helpers.js";
import { deleteKeys, describeRedis, ioredisClient, uniquePrefix } from "../support/redis.js";

describe("RedisSessionStore setup", () => {
  it.each([undefined, null, {}, { get() {} }, { sendCommand: "no" }])(
    "refuses %p as a client, naming what it expects",
    (client) => {
      expect(() => new RedisSessionStore({ client: client as never })).toThrow(
        /option "client" must be a connected ioredis client or Cluster, or a node-redis client or cluster/,
      );
    },
  );

  it("routes each command of a node-redis cluster by its key", async () => {
    const sendCommand = jest.fn(async (_key: string, _readonly: boolean, args: string[]) =>
      args[0] === "EVALSHA" ? [] : args[0] === "SET" ? "OK" : null,
    );
    const store = new RedisSessionStore({
      client: { sendCommand, getSlotMaster() {} },
      prefix: "p:",
    });
    await store.get("sid");
    const now = Date.now();
    await store.set("sid", {
      customerId: "cus_1",
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 1000,
      absoluteExpiresAt: now + 2000,
    });
    await store.getRecord("cart:cus_1");
    await store.setRecord("cart:cus_1", "cart_1", now + 1000);
    await store.setRecord("cart:cus_1", null, now + 1000);
    expect(sendCommand.mock.calls.map(([key, readonly, args]) => [key, readonly, args[0]])).toEqual(
      [
        ["p:s:sid", true, "GET"],
        ["p:c:cus_1", false, "EVALSHA"],
        ["p:s:sid", false, "SET"],
        ["p:r:cart:cus_1", true, "GET"],
        ["p:r:cart:cus_1", false, "SET"],
        ["p:r:cart:cus_1", false, "DEL"],
      ],
    );
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

  it("keeps a small record under r:<key> with a TTL to its until, by the store's clock", async () => {
    let now = Date.now() - 5_000; // the store's clock, not Redis's, sets the TTL
    const store = new RedisSessionStore({ client: io, prefix, now: () => now });
    await store.setRecord("cart:cus_layout", "cart_01", now + 60_000);
    expect(await io.get(`${prefix}r:cart:cus_layout`)).toBe("cart_01");
    const ttl = await io.pttl(`${prefix}r:cart:cus_layout`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.getRecord("cart:cus_layout")).toBe("cart_01");
    // A write whose until has passed removes the record instead of refusing the TTL.
    now += 61_000;
    await store.setRecord("cart:cus_layout", "cart_02", now - 1);
    expect(await io.exists(`${prefix}r:cart:cus_layout`)).toBe(0);
    // A fractional until goes as whole milliseconds (Redis refuses a fractional PX).
    await store.setRecord("cart:cus_layout", "cart_03", now + 10_000.5);
    expect(await io.pttl(`${prefix}r:cart:cus_layout`)).toBeGreaterThan(9_000);
    await store.setRecord("cart:cus_layout", null, now + 60_000);
    expect(await io.exists(`${prefix}r:cart:cus_layout`)).toBe(0);
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

  it("keeps an index member whose session key is missing (it may be a write in flight)", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    await store.set("sid4", rec(Date.now(), 60_000, 600_000));
    await io.del(`${prefix}s:sid4`);
    expect((await store.listByCustomer("cus_layout")).map(([id]) => id)).not.toContain("sid4");
    expect(await io.zscore(`${prefix}c:cus_layout`, "sid4")).not.toBeNull();
  });

  it("drops index members past their absolute deadline on the next sign-in", async () => {
    const store = new RedisSessionStore({ client: io, prefix });
    await io.zadd(`${prefix}c:cus_layout`, Date.now() - 1, "long-gone");
    await store.set("sid5", rec(Date.now(), 60_000, 600_000));
    expect(await io.zscore(`${prefix}c:cus_layout`, "long-gone")).toBeNull();
  });

  it("caps a customer's sessions in the index script and ends the capped sessions", async () => {
    const p = `${prefix}cap:`;
    const store = new RedisSessionStore({ client: io, prefix: p });
    const now = Date.now();
    const ended: string[] = [];
    for (let i = 0; i < 6; i++) {
      // Later sign-ins have later absolute deadlines, as with the default lifetimes.
      ended.push(
        ...(await store.set(`c${i}`, rec(now, 60_000, 600_000 + i), { maxPerCustomer: 4 })),
      );
    }
    expect(ended).toEqual(["c0", "c1"]);
    expect(await io.zrange(`${p}c:cus_layout`, "0", "-1")).toEqual(["c2", "c3", "c4", "c5"]);
    expect(await io.exists(`${p}s:c0`, `${p}s:c1`)).toBe(0);
    // The new session is never the one capped, even when its deadline comes first.
    expect(await store.set("early", rec(now, 60_000, 1000), { maxPerCustomer: 4 })).toEqual(["c2"]);
    expect(await io.exists(`${p}s:early`)).toBe(1);
  });

  it("sends whole milliseconds for fractional deadlines (RFC 7519 allows exp: 1700000000.5)", async () => {
    const p = `${prefix}frac:`;
    const store = new RedisSessionStore({ client: io, prefix: p });
    const now = Date.now() + 0.5;
    await store.set("f1", rec(now, 60_000.25, 600_000.75));
    expect(await io.pttl(`${p}s:f1`)).toBeGreaterThan(59_000);
    expect(await io.pttl(`${p}c:cus_layout`)).toBeGreaterThan(599_000);
    expect(await store.touch("f1", rec(now, 120_000.5, 600_000.75))).toBe(true);
    expect(await store.consumeTokenId("frac", now + 10_000.5)).toBe(true);
    expect(await store.consumeTokenId("frac", now + 10_000.5)).toBe(false);
  });

  it("runs the index script by EVALSHA, sending its text once after NOSCRIPT", async () => {
    const p = `${prefix}sha:`;
    const sent: string[] = [];
    const client = {
      call: (command: string, ...args: Array<string | number>) => {
        sent.push(command);
        return io.call(command, ...args);
      },
    };
    const store = new RedisSessionStore({ client, prefix: p });
    await io.script("FLUSH");
    await store.set("e1", rec(Date.now(), 60_000, 600_000));
    await store.set("e2", rec(Date.now(), 60_000, 600_000));
    expect(sent.filter((c) => c.startsWith("EVAL"))).toEqual(["EVALSHA", "EVAL", "EVALSHA"]);
    expect(await io.zcard(`${p}c:cus_layout`)).toBe(2);
  });

  it("signs in with one command on one server, and with two where it cannot tell (a cluster)", async () => {
    const p = `${prefix}one:`;
    const recording = (isCluster: boolean | undefined) => {
      const sent: string[] = [];
      const client = {
        isCluster,
        call: (command: string, ...args: Array<string | number>) => {
          sent.push(command);
          return io.call(command, ...args);
        },
      };
      return { sent, store: new RedisSessionStore({ client, prefix: p }) };
    };
    const single = recording(false);
    await single.store.set("o1", rec(Date.now(), 60_000, 600_000));
    const before = single.sent.length;
    await single.store.set("o2", rec(Date.now(), 60_000, 600_000));
    expect(single.sent.slice(before)).toEqual(["EVALSHA"]);
    const other = recording(undefined);
    await other.store.set("o3", rec(Date.now(), 60_000, 600_000));
    expect(other.sent.sort()).toEqual(["EVALSHA", "SET"]);
    for (const id of ["o1", "o2", "o3"]) {
      expect(await io.pttl(`${p}s:${id}`)).toBeGreaterThan(59_000);
      expect(await io.zscore(`${p}c:cus_layout`, id)).not.toBeNull();
    }
  });

  it.each([
    ["token.keep", { keep: true }],
    ["token.singleUse", { singleUse: true }],
  ])("a valid token with a fractional exp signs in with %s", async (_name, token) => {
    const store = new RedisSessionStore({ client: io, prefix: `${prefix}fracexp:` });
    const t = buildApp({ sessions: store, now: Date.now, token }, createClock(Date.now()));
    const exp = Math.floor(Date.now() / 1000) + 600.5;
    const res = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock, { exp })}`);
    expect(res.status).toBe(200);
    const cookie = cookiePair(setCookie(res.headers));
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      200,
    );
  });

  it("treats a corrupted record as no session: 401, deleted, reported", async () => {
    const store = new RedisSessionStore({ client: io, prefix: `${prefix}corrupt:` });
    const t = buildApp({ sessions: store, now: Date.now }, createClock(Date.now()));
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
