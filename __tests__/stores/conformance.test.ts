import session from "express-session";
import RedisStore from "connect-redis";
import { fromExpressSessionStore, MemorySessionStore, RedisSessionStore } from "../../lib/index.js";
import { sessionStoreConformance } from "../../lib/testing/index.js";
import { describeRedis, uniquePrefix, useRedisClients } from "../support/redis.js";

sessionStoreConformance("MemorySessionStore", () => new MemorySessionStore({ sweepInterval: 0 }));

sessionStoreConformance("fromExpressSessionStore(express-session MemoryStore)", () =>
  fromExpressSessionStore(new session.MemoryStore()),
);

describeRedis("against the real Redis", () => {
  const prefix = uniquePrefix("conformance");
  const redis = useRedisClients(prefix);

  sessionStoreConformance(
    "RedisSessionStore (ioredis)",
    () => new RedisSessionStore({ client: redis.io, prefix: `${prefix}io:` }),
  );
  sessionStoreConformance(
    "RedisSessionStore (node-redis v5)",
    () => new RedisSessionStore({ client: redis.node, prefix: `${prefix}node:` }),
  );
  sessionStoreConformance(
    "fromExpressSessionStore(connect-redis 7 on ioredis)",
    () => fromExpressSessionStore(new RedisStore({ client: redis.io, prefix: `${prefix}es:` })),
    // connect-redis sets TTLs in whole seconds.
    { expiryResolution: 1000 },
  );
});
