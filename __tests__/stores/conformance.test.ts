import session from "express-session";
import RedisStore from "connect-redis";
import type Redis from "ioredis";
import { fromExpressSessionStore, MemorySessionStore, RedisSessionStore } from "../../lib/index.js";
import { sessionStoreConformance } from "../../lib/testing/index.js";
import {
  deleteKeys,
  describeRedis,
  ioredisClient,
  nodeRedisClient,
  uniquePrefix,
} from "../support/redis.js";

sessionStoreConformance("MemorySessionStore", () => new MemorySessionStore({ sweepInterval: 0 }));

sessionStoreConformance("fromExpressSessionStore(express-session MemoryStore)", () =>
  fromExpressSessionStore(new session.MemoryStore()),
);

describeRedis("against the real Redis", () => {
  let io: Redis;
  let node: Awaited<ReturnType<typeof nodeRedisClient>>;
  const prefix = uniquePrefix("conformance");

  beforeAll(async () => {
    io = ioredisClient();
    node = await nodeRedisClient();
  });
  afterAll(async () => {
    await deleteKeys(io, prefix);
    await io.quit();
    await node.quit();
  });

  sessionStoreConformance(
    "RedisSessionStore (ioredis)",
    () => new RedisSessionStore({ client: io, prefix: `${prefix}io:` }),
  );
  sessionStoreConformance(
    "RedisSessionStore (node-redis v5)",
    () => new RedisSessionStore({ client: node, prefix: `${prefix}node:` }),
  );
  sessionStoreConformance(
    "fromExpressSessionStore(connect-redis 7 on ioredis)",
    () => fromExpressSessionStore(new RedisStore({ client: io, prefix: `${prefix}es:` })),
    // connect-redis sets TTLs in whole seconds.
    { expiryResolution: 1000 },
  );
});
