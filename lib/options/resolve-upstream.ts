import { DEFAULT_OPTIONS } from "./defaults.js";
import { parseDuration, type Duration } from "./duration.js";
import type { ResolvedSignInLimits, ResolvedUpstream, UpstreamOptions } from "./upstream-types.js";

/** Milliseconds of a duration the schema has already accepted. */
export const ms = (value: Duration): number => parseDuration(value)!;

/**
 * The `upstream` option after defaults, or undefined without one. Its `signInLimits.secret` is
 * resolved with the others in `resolveSecrets`.
 */
export function resolveUpstream(
  upstream: UpstreamOptions | undefined,
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
    signInLimits: resolveSignInLimits(upstream.signInLimits),
    connections: upstream.connections ?? d.connections,
    queueTimeout: ms(upstream.queueTimeout ?? d.queueTimeout),
    maxBodySize: upstream.maxBodySize ?? d.maxBodySize,
    clientBodyTimeout: ms(upstream.clientBodyTimeout ?? d.clientBodyTimeout),
    bufferSize: upstream.bufferSize ?? d.bufferSize,
    spillSize: upstream.spillSize ?? d.spillSize,
    spillTotal: upstream.spillTotal ?? d.spillTotal,
    sendTimeout: ms(upstream.sendTimeout ?? d.sendTimeout),
  });
}

function resolveSignInLimits(
  limits: UpstreamOptions["signInLimits"],
): ResolvedSignInLimits | false {
  if (limits === false) return false;
  const d = DEFAULT_OPTIONS.upstream.signInLimits;
  type Limit = { attempts?: number; window?: Duration };
  const one = (given: Limit | undefined, def: { attempts: number; window: Duration }) =>
    Object.freeze({
      attempts: given?.attempts ?? def.attempts,
      window: ms(given?.window ?? def.window),
    });
  return Object.freeze({
    identifier: one(limits?.identifier, d.identifier),
    ip: one(limits?.ip, d.ip),
  });
}
