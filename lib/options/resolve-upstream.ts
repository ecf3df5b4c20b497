import type { SessionStore } from "../stores/session-store.js";
import { MemorySessionStore } from "../stores/memory.js";
import { DEFAULT_OPTIONS } from "./defaults.js";
import { parseDuration, type Duration } from "./duration.js";
import type { ResolvedSignInLimits, ResolvedUpstream, UpstreamOptions } from "./upstream-types.js";

/** Milliseconds of a duration the schema has already accepted. */
export const ms = (value: Duration): number => parseDuration(value)!;

/**
 * The `upstream` option after defaults, or undefined without one. `cookieSecret` is the first
 * `cookie.secret` (the default key of the attempt counters); `sessions` is the given store, only
 * looked at.
 */
export function resolveUpstream(
  upstream: UpstreamOptions | undefined,
  cookieSecret: string | undefined,
  sessions: SessionStore | undefined,
): ResolvedUpstream | undefined {
  if (upstream === undefined) return undefined;
  const d = DEFAULT_OPTIONS.upstream;
  const refresh = upstream.refresh ?? true;
  return Object.freeze({
    baseUrl: new URL(String(upstream.baseUrl).replace(/\/?$/, "/")),
    publishableKey: upstream.publishableKey,
    timeout: ms(upstream.timeout ?? d.timeout),
    refresh:
      refresh === false
        ? false
        : Object.freeze({
            remaining: (refresh === true ? undefined : refresh.remaining) ?? d.refreshRemaining,
          }),
    signInLimits: resolveSignInLimits(upstream.signInLimits, cookieSecret, sessions),
    connections: upstream.connections ?? d.connections,
    queueTimeout: ms(upstream.queueTimeout ?? d.queueTimeout),
    maxBodySize: upstream.maxBodySize ?? d.maxBodySize,
    clientBodyTimeout: ms(upstream.clientBodyTimeout ?? d.clientBodyTimeout),
    bufferSize: upstream.bufferSize ?? d.bufferSize,
    sendTimeout: ms(upstream.sendTimeout ?? d.sendTimeout),
  });
}

function resolveSignInLimits(
  limits: UpstreamOptions["signInLimits"],
  cookieSecret: string | undefined,
  sessions: SessionStore | undefined,
): ResolvedSignInLimits | false {
  if (limits === false) return false;
  const d = DEFAULT_OPTIONS.upstream.signInLimits;
  type Limit = { attempts?: number; window?: Duration };
  const one = (given: Limit | undefined, def: { attempts: number; window: Duration }) =>
    Object.freeze({
      attempts: given?.attempts ?? def.attempts,
      window: ms(given?.window ?? def.window),
    });
  const given = limits?.secret;
  const secret = (Array.isArray(given) ? given[0] : given) ?? cookieSecret;
  // A random key per process is fine while the counts live in this process too; with a shared
  // store every instance would hash the same account to another key, and never share a count.
  if (secret === undefined && sessions !== undefined && !(sessions instanceof MemorySessionStore)) {
    throw new TypeError(
      'option "upstream.signInLimits.secret" is missing (received undefined): set it or "cookie.secret" (at least 32 characters, the same on every instance); with a shared session store, instances with their own keys would not share the sign-in attempt counts',
    );
  }
  return Object.freeze({
    identifier: one(limits?.identifier, d.identifier),
    ip: one(limits?.ip, d.ip),
    secret,
  });
}
