import { expiresAt, type SessionRecord, type SessionStore } from "./session-store.js";

type Callback<T = unknown> = (error?: unknown, value?: T) => void;

/**
 * The part of an express-session `Store` the adapter uses. connect-redis, connect-pg-simple,
 * connect-mongo, express-session's own MemoryStore and most others have it.
 *
 * @example
 * ```ts
 * import MongoStore from "connect-mongo";
 * const store: ExpressSessionStoreLike = MongoStore.create({ mongoUrl });
 * const sessions = fromExpressSessionStore(store);
 * ```
 */
export interface ExpressSessionStoreLike {
  get(sid: string, callback: Callback<unknown>): unknown;
  set(sid: string, session: ExpressSessionData, callback?: Callback): unknown;
  destroy(sid: string, callback?: Callback): unknown;
  all?(callback: Callback<unknown>): unknown;
}

/**
 * What the adapter stores: a session express-session stores understand (they read `cookie.expires` for the TTL).
 *
 * @example
 * ```ts
 * // What connect-redis stores for a bff-session session:
 * // { "cookie": { "expires": "2026-11-28T20:00:00.000Z", "originalMaxAge": 36000000 }, "bffSession": { "customerId": "cus_123", … } }
 * ```
 */
export interface ExpressSessionData {
  cookie: { expires: Date; originalMaxAge: number };
  bffSession: SessionRecord;
}

/**
 * Wraps any express-session store as a {@link SessionStore}, so a team keeps the store it runs
 * today. Each record is saved as a session whose `cookie.expires` is the record's deadline,
 * which those stores turn into their TTL.
 *
 * Limits, inherited from the express-session store API: `touch` is a read then a write. Within
 * one process, touches and destroys of a session are serialised, so a logout is never undone;
 * across instances a logout landing exactly between another instance's read and write can
 * be (the native stores are atomic everywhere). Listing
 * and revocation need the store's `all()` and read every session, and `session.maxPerCustomer`
 * is not enforced (it would read every session on every sign-in). It has no `consumeTokenId`
 * (the store API has no atomic insert-if-absent), so it cannot be combined with `upstream` or
 * `token.singleUse`: `createSessionRouter` throws a TypeError saying so. Failed sign-ins are
 * counted per process (no `attemptCounter`). Prefer {@link RedisSessionStore},
 * {@link PostgresSessionStore} or {@link MemorySessionStore} where you can.
 *
 * @example
 * ```ts
 * import { RedisStore } from "connect-redis";
 * const sessions = fromExpressSessionStore(new RedisStore({ client: redis, prefix: "bff-es:" }));
 * ```
 */
export function fromExpressSessionStore(store: ExpressSessionStoreLike): SessionStore {
  if (
    typeof store !== "object" ||
    store === null ||
    typeof store.get !== "function" ||
    typeof store.set !== "function" ||
    typeof store.destroy !== "function"
  ) {
    throw new TypeError(
      "fromExpressSessionStore: expected an express-session store (get, set, destroy)",
    );
  }
  const call = <T>(run: (cb: Callback<T>) => unknown) =>
    new Promise<T | undefined>((resolve, reject) => {
      const settled = run((error, value) => (error ? reject(error) : resolve(value)));
      // Some stores also return a promise; its rejection must not go unhandled.
      if (settled instanceof Promise) settled.catch(reject);
    });

  const read = async (id: string): Promise<SessionRecord | null> => {
    const session = await call<unknown>((cb) => store.get(id, cb));
    return unwrap(session);
  };
  const write = (id: string, record: SessionRecord) =>
    call((cb) =>
      store.set(
        id,
        {
          cookie: {
            expires: new Date(expiresAt(record)),
            originalMaxAge: expiresAt(record) - Date.now(),
          },
          bffSession: record,
        },
        cb,
      ),
    );

  // Per-session queue: a touch's read-then-write and a destroy never interleave in this process.
  const queues = new Map<string, Promise<unknown>>();
  const serialised = <T>(id: string, run: () => Promise<T>): Promise<T> => {
    const previous = queues.get(id) ?? Promise.resolve();
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    queues.set(id, settled);
    void settled.then(() => {
      if (queues.get(id) === settled) queues.delete(id);
    });
    return next;
  };

  const adapter: SessionStore = {
    get: read,
    async set(id, record) {
      // No per-customer cap: it would read every session (`all()`) on every sign-in.
      await write(id, record);
    },
    touch: (id, record) =>
      serialised(id, async () => {
        if ((await read(id)) === null) return false;
        await write(id, record);
        return true;
      }),
    destroy: (id) =>
      serialised(id, async () => {
        await call((cb) => store.destroy(id, cb));
      }),
  };
  if (typeof store.all === "function") {
    adapter.listByCustomer = async (customerId) => {
      const all = await call<unknown>((cb) => store.all!(cb));
      const entries: Array<[string, unknown]> = Array.isArray(all)
        ? all.map((s) => [String((s as { id?: unknown }).id), s])
        : Object.entries((all ?? {}) as Record<string, unknown>);
      const mine: Array<[string, SessionRecord]> = [];
      for (const [id, session] of entries) {
        const record = unwrap(session);
        if (record?.customerId === customerId) mine.push([id, record]);
      }
      return mine;
    };
  }
  return adapter;
}

function unwrap(session: unknown): SessionRecord | null {
  if (session === null || session === undefined) return null;
  const value = typeof session === "string" ? safeParse(session) : session;
  const record = (value as { bffSession?: unknown } | null)?.bffSession;
  // Something that is not ours comes back as an empty record: refused, deleted and reported.
  return (typeof record === "object" && record !== null ? record : {}) as SessionRecord;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
