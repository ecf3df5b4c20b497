/**
 * Issue #22, item 10: attempt counters at rest hold neither the client's IP nor a plain hash
 * of the account's e-mail: their keys are an HMAC under a secret the app gives.
 */
import { createHash, createHmac } from "node:crypto";
import request from "supertest";
import { MemorySessionStore, RedisSessionStore } from "../../lib/index.js";
import { describeRedis, uniquePrefix, useRedisClients } from "../support/redis.js";
import { bffFor, WRONG } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const SECRET = "attempt-counter-secret-at-least-32-characters";

describeRedis("keys of the counters in Redis", () => {
  const prefix = uniquePrefix("attempts");
  const clients = useRedisClients(prefix);
  it("are HMACs under signInLimits.secret: no IP, no SHA-256 of the e-mail", async () => {
    const sessions = new RedisSessionStore({ client: clients.io, prefix });
    const t = bffFor(backend, { sessions, upstreamExtra: { signInLimits: { secret: SECRET } } });
    await request(t.app)
      .post("/auth/customer/emailpass")
      .set("X-Forwarded-For", "198.51.100.23")
      .send(WRONG);
    const keys = (await clients.io.keys(`${prefix}*`)).join("\n");
    expect(keys).not.toBe("");
    expect(keys).not.toContain("198.51.100.23");
    expect(keys).not.toContain(createHash("sha256").update(WRONG.email).digest("base64url"));
    const expected = createHmac("sha256", SECRET).update(`id:${WRONG.email}`).digest("base64url");
    expect(keys).toContain(expected);
  });

  it("a shared store without a secret is refused at setup", () => {
    const sessions = new RedisSessionStore({ client: clients.io, prefix });
    expect(() => bffFor(backend, { sessions })).toThrow(/signInLimits\.secret|cookie\.secret/);
  });
});

it("with the memory store and no secret, counting still works (a per-process key)", async () => {
  const t = bffFor(backend, {
    sessions: new MemorySessionStore({ sweepInterval: 0 }),
    upstreamExtra: { signInLimits: { identifier: { attempts: 1 } } },
  });
  expect((await request(t.app).post("/auth/customer/emailpass").send(WRONG)).status).toBe(401);
  expect((await request(t.app).post("/auth/customer/emailpass").send(WRONG)).status).toBe(429);
});
