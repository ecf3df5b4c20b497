/** The Redis store on a real Redis Cluster, through both clients. Run: npm run test:cluster. */
import { randomUUID } from "node:crypto";
import request from "supertest";
import { RedisSessionStore } from "../../lib/index.js";
import { sessionStoreConformance } from "../../lib/testing/index.js";
import { buildApp, createClock, signIn, type TestApp } from "../helpers.js";
import { ioredisCluster, nodeRedisCluster } from "./support.js";

const clients = {} as {
  io: ReturnType<typeof ioredisCluster>;
  node: Awaited<ReturnType<typeof nodeRedisCluster>>;
};
beforeAll(async () => {
  clients.io = ioredisCluster();
  await new Promise<void>((resolve, reject) => {
    clients.io.once("ready", resolve);
    clients.io.once("error", reject);
  });
  clients.node = await nodeRedisCluster();
});
afterAll(async () => {
  await clients.io.quit();
  await clients.node.close();
});

const prefix = `bfftest:cluster:${randomUUID()}:`;

sessionStoreConformance(
  "RedisSessionStore on a cluster (ioredis Cluster)",
  () => new RedisSessionStore({ client: clients.io, prefix: `${prefix}io:` }),
);
sessionStoreConformance(
  "RedisSessionStore on a cluster (node-redis createCluster)",
  () => new RedisSessionStore({ client: clients.node, prefix: `${prefix}node:` }),
);

describe("two instances on one cluster, one per client", () => {
  const me = (t: TestApp, cookie: string) =>
    request(t.app).get("/store/customers/me").set("Cookie", cookie);

  function twoInstances() {
    const clock = createClock(Date.now());
    const p = `${prefix}${randomUUID()}:`;
    const a = buildApp(
      { sessions: new RedisSessionStore({ client: clients.io, prefix: p }) },
      clock,
    );
    const b = buildApp(
      { sessions: new RedisSessionStore({ client: clients.node, prefix: p }) },
      clock,
    );
    return { a, b };
  }

  it("a login on A authenticates on B; list and revoke on B end it on A", async () => {
    const { a, b } = twoInstances();
    const phone = await signIn(a, "phone");
    const laptop = await signIn(b, "laptop");
    expect((await me(b, phone)).body.customer_id).toBe("cus_123");
    expect((await a.router.listCustomerSessions("cus_123")).map((s) => s.userAgent).sort()).toEqual(
      ["laptop", "phone"],
    );
    expect(await b.router.revokeCustomerSessions("cus_123")).toBe(2);
    expect((await me(a, phone)).status).toBe(401);
    expect((await me(a, laptop)).status).toBe(401);
  });

  it("logout on B ends the session on A, and the cap holds across both", async () => {
    const { a, b } = twoInstances();
    const cookies = [];
    for (let i = 0; i < 12; i++) {
      a.clock.advance(1000); // each sign-in later than the last, as real ones are
      cookies.push(await signIn(i % 2 ? a : b, `d${i}`));
    }
    expect(await b.router.listCustomerSessions("cus_123")).toHaveLength(10);
    expect((await me(a, cookies[0]!)).status).toBe(401);
    expect((await request(b.app).delete("/auth/session").set("Cookie", cookies[11]!)).status).toBe(
      200,
    );
    expect((await me(a, cookies[11]!)).status).toBe(401);
  });
});

describe("failed sign-ins counted on the cluster (upstream.signInLimits)", () => {
  it("both clients share one count: consume, refuse past the limit, reward and clear", async () => {
    const p = `${prefix}${randomUUID()}:`;
    const options = { keyPrefix: "attempts", attempts: 3, window: 60_000 };
    const io = new RedisSessionStore({ client: clients.io, prefix: p }).attemptCounter(options);
    const node = new RedisSessionStore({ client: clients.node, prefix: p }).attemptCounter(options);
    const allowed = async (counter: typeof io) => (await counter.consume("jo")).allowed;
    expect([await allowed(io), await allowed(node), await allowed(io)]).toEqual([true, true, true]);
    expect(await node.consume("jo")).toMatchObject({ allowed: false });
    await io.reward("jo"); // 4 taken, 2 given back: one more fits
    await io.reward("jo");
    expect(await allowed(node)).toBe(true);
    expect(await allowed(io)).toBe(false);
    await node.delete("jo");
    expect([await allowed(io), await allowed(io), await allowed(io)]).toEqual([true, true, true]);
    expect(await allowed(node)).toBe(false);
  });
});
