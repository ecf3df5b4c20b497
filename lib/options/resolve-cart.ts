import { randomBytes } from "node:crypto";
import { MemorySessionStore } from "../stores/memory.js";
import type { SessionStore } from "../stores/session-store.js";
import { DEFAULT_OPTIONS } from "./defaults.js";
import type { ResolvedCart, SessionRouterOptions } from "./types.js";

/**
 * The `cart` option after defaults, with the keys of the guest cart cookie: the app's
 * `cookie.secret`s (the first signs, all verify), else `upstream.signInLimits.secret`, else —
 * with the memory store only — a random key of this process. With a shared store every
 * instance must verify the cookie another instance signed: a per-process key would drop a
 * guest's cart whenever the load balancer changes instance, so it is a TypeError at setup.
 */
export function resolveCart(
  cart: SessionRouterOptions["cart"],
  cookieSecrets: readonly string[],
  upstream: SessionRouterOptions["upstream"],
  sessions: SessionStore | undefined,
): ResolvedCart {
  const guard = cart?.guard ?? DEFAULT_OPTIONS.cart.guard;
  const limits = upstream?.signInLimits;
  const given = limits === false || limits === undefined ? undefined : limits.secret;
  const limitSecrets = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const keys = cookieSecrets.length > 0 ? cookieSecrets : limitSecrets;
  if (keys.length > 0) return Object.freeze({ guard, keys: Object.freeze([...keys]) });
  const shared = sessions !== undefined && !(sessions instanceof MemorySessionStore);
  if (upstream !== undefined && shared) {
    throw new TypeError(
      'option "cookie.secret" is missing (received undefined): with "upstream" and a shared session store it signs the guest cart cookie, and must be the same on every instance (at least 32 characters)',
    );
  }
  return Object.freeze({ guard, keys: Object.freeze([randomBytes(32).toString("base64url")]) });
}
