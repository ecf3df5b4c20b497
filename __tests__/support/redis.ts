import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { createClient } from "redis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** `describe` when Redis answered the global setup's PING, a loudly reported skip otherwise (never under CI). */
export const describeRedis: jest.Describe =
  process.env.BFF_TEST_REDIS === "0" ? describe.skip : describe;

/** A unique key prefix per test run, so runs never see each other's keys. */
export const uniquePrefix = (label: string) => `bfftest:${label}:${randomUUID()}:`;

export function ioredisClient(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export async function nodeRedisClient() {
  const client = createClient({ url: REDIS_URL });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== "0");
}

/**
 * For the enclosing describe: an ioredis and a node-redis client on REDIS_URL, connected before
 * its tests and quit after them, with every key under `prefix` deleted.
 */
export function useRedisClients(prefix: string) {
  const clients = {} as { io: Redis; node: Awaited<ReturnType<typeof nodeRedisClient>> };
  beforeAll(async () => {
    clients.io = ioredisClient();
    clients.node = await nodeRedisClient();
  });
  afterAll(async () => {
    await deleteKeys(clients.io, prefix);
    await clients.io.quit();
    await clients.node.quit();
  });
  return clients;
}
