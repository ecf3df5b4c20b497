import type { Request } from "express";
import type { SessionEvent } from "../../lib/events.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import type { ResolvedOptions } from "../../lib/options/types.js";
import { SessionCookie } from "../../lib/session/cookie.js";
import { GuardedStore } from "../../lib/session/guarded-store.js";
import { Sessions } from "../../lib/session/sessions.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import type { SessionStore } from "../../lib/stores/session-store.js";
import { hmacSecret } from "../../lib/token/keys/hmac-secret.js";
import { createClock, SECRET } from "../helpers.js";

/**
 * A `Sessions` on a store (a memory store by default) with a clock of its own, its events and
 * its logger's warnings: the session lifecycle without a router or HTTP.
 */
export function makeSessions(
  options: { store?: SessionStore; tokenCapsSession?: boolean; maxPerCustomer?: number } = {},
) {
  const clock = createClock();
  const resolved = resolveOptions({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async () => null },
    now: clock.now,
  });
  const store = options.store ?? new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
  const events: SessionEvent[] = [];
  const report = (event: SessionEvent) => void events.push(event);
  const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const cookie = new SessionCookie(resolved.cookie);
  const sessions = new Sessions({
    store: new GuardedStore(store, 1000, report),
    cookie,
    lifetime: resolved.lifetime,
    limits: { maxPerCustomer: options.maxPerCustomer ?? 10 },
    tokenCapsSession: options.tokenCapsSession ?? true,
    observed: true,
    report,
    logger,
    now: clock.now,
  });
  /** A request carrying the session cookie of `token` (none without one). */
  const request = (token?: string, headers: Record<string, string> = {}) =>
    ({
      headers: {
        ...headers,
        ...(token !== undefined && { cookie: `${cookie.name}=${token}` }),
      },
    }) as unknown as Request;
  return { sessions, store, clock, events, logger, lifetime: resolved.lifetime, cookie, request };
}

/**
 * The session core wired from resolved options as `createSessionRouter` wires it, with the
 * test's clock, its events and a logger of mocks: for tests of the parts built on it.
 */
export function wireSessions(
  options: ResolvedOptions,
  now: () => number,
  store: SessionStore = options.sessions ?? new MemorySessionStore({ now, sweepInterval: 0 }),
) {
  const events: SessionEvent[] = [];
  const report = (event: SessionEvent) => void events.push(event);
  const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const guarded = new GuardedStore(store, options.lifetime.storeTimeout, report);
  const cookie = new SessionCookie(options.cookie);
  const sessions = new Sessions({
    store: guarded,
    cookie,
    lifetime: options.lifetime,
    limits: options.limits,
    tokenCapsSession: !options.upstream?.refresh,
    observed: true,
    report,
    logger,
    now,
  });
  const policy = Object.freeze({ ...options.token, keys: options.keys, now });
  const failure = { report, logger, clearCookie: cookie.clear() };
  return { store, guarded, events, report, logger, cookie, sessions, policy, failure };
}
