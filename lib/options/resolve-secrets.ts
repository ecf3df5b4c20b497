import { randomBytes } from "node:crypto";
import { MemorySessionStore } from "../stores/memory.js";
import type { SessionStore } from "../stores/session-store.js";
import type { ResolvedSecrets, SessionRouterOptions } from "./types.js";

/**
 * The keys the BFF hashes and signs its own records with, resolved once for every part that
 * needs one. `hash` keys the sign-in attempt counters and the identity records:
 * `upstream.signInLimits.secret`, else the first `cookie.secret`. `cartCookie` signs the guest
 * cart cookie: the `cookie.secret`s (the first signs, all verify), else the
 * `signInLimits.secret`s. Neither given, both are one random key of this process: enough for
 * the memory store, which no other instance reads. With `upstream` and a shared store every
 * instance must hash and verify alike, so that is a TypeError at setup.
 */
export function resolveSecrets(
  cookieSecrets: readonly string[],
  upstream: SessionRouterOptions["upstream"],
  sessions: SessionStore | undefined,
): ResolvedSecrets {
  const limits = upstream?.signInLimits;
  const given = limits === false || limits === undefined ? undefined : limits.secret;
  const limitSecrets = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const hash = limitSecrets[0] ?? cookieSecrets[0];
  if (hash !== undefined) {
    const cartCookie = cookieSecrets.length > 0 ? cookieSecrets : limitSecrets;
    return Object.freeze({ hash, cartCookie: Object.freeze([...cartCookie]), given: true });
  }
  const shared = sessions !== undefined && !(sessions instanceof MemorySessionStore);
  if (upstream !== undefined && shared) {
    throw new TypeError(
      'option "cookie.secret" is missing (received undefined): with "upstream" and a shared session store it keys the sign-in attempt counts and the identity records and signs the guest cart cookie, the same on every instance; set it (or "upstream.signInLimits.secret"), at least 32 characters',
    );
  }
  const processKey = randomBytes(32).toString("base64url");
  return Object.freeze({ hash: processKey, cartCookie: Object.freeze([processKey]), given: false });
}
