import session from "express-session";
import RedisStore from "connect-redis";
import {
  fromExpressSessionStore,
  MemorySessionStore,
  RedisSessionStore,
  type SessionStore,
} from "../../lib/index.js";
import { sessionStoreConformance } from "../../lib/testing/index.js";
import { describePostgres, usePostgres } from "../support/postgres.js";
import { describeRedis, uniquePrefix, useRedisClients } from "../support/redis.js";

const ADAPTER_LACKS = {
  maxPerCustomer:
    "the express-session adapter does not cap (it would read every session per sign-in)",
  consumeTokenId: "express-session stores cannot record a token atomically",
  attemptCounter: "express-session stores have no atomic counter",
  records: "the express-session adapter keeps sessions only",
};

sessionStoreConformance("MemorySessionStore", () => new MemorySessionStore({ sweepInterval: 0 }));

sessionStoreConformance(
  "fromExpressSessionStore(express-session MemoryStore)",
  () => fromExpressSessionStore(new session.MemoryStore()),
  { lacks: ADAPTER_LACKS },
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
    { expiryResolution: 1000, lacks: ADAPTER_LACKS },
  );
});

describePostgres("against the real PostgreSQL", () => {
  const pg = usePostgres("conformance");
  sessionStoreConformance("PostgresSessionStore", () => pg.store());
});

describe("the kit reports what a store lacks as skipped, never as passed", () => {
  const bare: SessionStore = {
    get: async () => null,
    set: async () => {},
    touch: async () => false,
    destroy: async () => {},
  };
  const cases = { run: [] as string[], skipped: [] as string[] };
  sessionStoreConformance("a bare store", () => bare, {
    harness: {
      describe: (_name, fn) => fn(),
      it: (name) => void cases.run.push(name),
      skip: (name) => void cases.skipped.push(name),
    },
    lacks: { maxPerCustomer: "it does not cap" },
  });

  it("registers list, single-use, cap, attempt-counter and record cases as skipped, with the reasons", () => {
    expect(cases.skipped).toEqual([
      "listByCustomer lists exactly the customer's live sessions (skipped: the store has no listByCustomer())",
      "consumeTokenId is true once per id, atomically (skipped: the store has no consumeTokenId())",
      "consumeTokenId forgets an id once its period is over (skipped: the store has no consumeTokenId())",
      "set with maxPerCustomer ends the customer's oldest sessions, never the new one nor others' (skipped: it does not cap)",
      "attemptCounter allows `attempts` per key, refuses beyond, and reward and delete give back (skipped: the store has no attemptCounter())",
      "setRecord then getRecord returns the string as given; a later write replaces it, null removes it (skipped: the store has no getRecord() or setRecord())",
      "getRecord reads null once the record's until passes, and setRecord writes it again (skipped: the store has no getRecord() or setRecord())",
      "setRecord keeps records up to the documented bounds whole: a 200-character key, a 4 KiB value (skipped: the store has no getRecord() or setRecord())",
      "getRecord/setRecord and sessions are kept apart, also under one key (skipped: the store has no getRecord() or setRecord())",
    ]);
    expect(
      cases.run.some((name) =>
        /listByCustomer|consumeTokenId|maxPerCustomer|attemptCounter|getRecord|setRecord/.test(
          name,
        ),
      ),
    ).toBe(false);
    expect(cases.run).toContain(
      "touch and destroy racing in either order: once destroy resolved, gone",
    );
  });
});

describe("the kit finds a store with half of the record methods lacking records", () => {
  const skipped: string[] = [];
  const run: string[] = [];
  const half: SessionStore = {
    get: async () => null,
    set: async () => {},
    touch: async () => false,
    destroy: async () => {},
    getRecord: async () => null,
  };
  sessionStoreConformance("getRecord only", () => half, {
    harness: {
      describe: (_name, fn) => fn(),
      it: (name) => void run.push(name),
      skip: (name) => void skipped.push(name),
    },
  });

  it("reports its record cases as skipped, naming the missing method", () => {
    const records = skipped.filter((name) => /getRecord|setRecord/.test(name));
    expect(records).toHaveLength(4);
    for (const name of records)
      expect(name).toMatch(/\(skipped: the store has no setRecord\(\)\)$/);
    expect(run.filter((name) => /getRecord|setRecord/.test(name))).toEqual([]);
  });
});
