import { requiresToken } from "../customers/upstream.js";
import { resolveLogger } from "../logger.js";
import type { ResolvedCookie } from "../session/cookie.js";
import type { Lifetime } from "../session/lifetime.js";
import { checkStoreCapabilities } from "../stores/capabilities.js";
import { DEFAULT_OPTIONS } from "./defaults.js";
import { optionError } from "./option-error.js";
import { resolveSecrets } from "./resolve-secrets.js";
import { ms, resolveUpstream } from "./resolve-upstream.js";
import { schema, SHAPES } from "./schema.js";
import type { ResolvedOptions, SessionRouterOptions } from "./types.js";
import { issueMessage } from "./validators.js";

const d = DEFAULT_OPTIONS;

/**
 * Validates options and applies defaults, once per router: frozen plain data. Throws a
 * TypeError naming the first bad option and what it received (and suggesting the intended key
 * for a misspelt one). It builds nothing: the stores stay as given (undefined when not given,
 * for the router to make the defaults), and are only inspected for what the options need of
 * them.
 *
 * @example
 * ```ts
 * const resolved = resolveOptions({ keys: hmacSecret(secret), customers });
 * resolved.lifetime.idleTimeout; // 7200000
 * ```
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const parsed = schema.safeParse(options ?? {}, { reportInput: true, error: issueMessage });
  if (!parsed.success) throw optionError(parsed.error, SHAPES);
  const o = parsed.data as SessionRouterOptions;

  const cookie = resolveCookie(o.cookie);
  const token = o.token ?? {};
  const singleUse = token.singleUse ?? d.token.singleUse;
  const capabilities = checkStoreCapabilities(o.sessions, {
    upstream: o.upstream !== undefined,
    singleUse,
  });
  const upstream = resolveUpstream(o.upstream);
  if (upstream !== undefined && token.keep === false) {
    throw new TypeError(
      'option "token.keep" cannot be false with "upstream" (received false): the BFF calls the backend with the kept token',
    );
  }
  if (o.customers === undefined && upstream === undefined) {
    throw new TypeError(
      'option "customers" is required (an object with a retrieve(customerId, context) method), unless "upstream" is set; received undefined',
    );
  }
  const keep = upstream !== undefined || token.keep === true;
  if (o.customers !== undefined && requiresToken(o.customers) && !keep) {
    throw new TypeError(
      `option "token.keep" must be true (received ${String(token.keep)}): the customer store reads the backend with the customer's token`,
    );
  }
  return Object.freeze({
    keys: o.keys,
    customers: o.customers,
    sessions: o.sessions,
    capabilities,
    token: Object.freeze({
      issuer: token.issuer,
      audience: token.audience,
      clockTolerance: ms(token.clockTolerance ?? d.token.clockTolerance) / 1000,
      maxTokenAge: token.maxTokenAge === undefined ? undefined : ms(token.maxTokenAge) / 1000,
      typ: token.typ,
      singleUse,
      customerIdClaim: token.customerIdClaim ?? d.token.customerIdClaim,
      actorTypeClaim: token.actorTypeClaim ?? d.token.actorTypeClaim,
      actorType: token.actorType ?? d.token.actorType,
      keep,
    }),
    cookie,
    lifetime: resolveLifetime(o.session),
    upstream,
    cart: Object.freeze({ guard: o.cart?.guard ?? d.cart.guard }),
    secrets: resolveSecrets(cookie.secrets, o.upstream, o.sessions),
    limits: Object.freeze({
      maxPerCustomer: o.session?.maxPerCustomer ?? d.session.maxPerCustomer,
    }),
    csrf:
      o.csrf === false
        ? false
        : Object.freeze({
            trustedOrigins: new Set(o.csrf?.trustedOrigins ?? d.csrf.trustedOrigins),
            allowSameSite: o.csrf?.allowSameSite ?? d.csrf.allowSameSite,
          }),
    onEvent: o.onEvent,
    logger: resolveLogger(o.logger),
    logDebug: o.logger !== undefined && o.logger !== false,
    now: o.now ?? Date.now,
  });
}

function resolveCookie(cookie: SessionRouterOptions["cookie"]): ResolvedCookie {
  const secure = cookie?.secure ?? process.env.NODE_ENV === "production";
  const domain = cookie?.domain;
  const path = cookie?.path ?? d.cookie.path;
  const sameSite = cookie?.sameSite ?? d.cookie.sameSite;
  // RFC 6265bis §4.1.3: __Host- cookies are Secure, host-only and Path=/, so a sibling
  // subdomain or an insecure origin cannot plant or overwrite them.
  const hostPrefixOk = secure && domain === undefined && path === "/";
  const name = cookie?.name ?? (hostPrefixOk ? `__Host-${d.cookie.baseName}` : d.cookie.baseName);
  if (name.startsWith("__Host-") && !hostPrefixOk) {
    throw new TypeError(
      `option "cookie.name": a "__Host-" cookie needs secure: true, no domain and path "/" (received secure: ${secure}, ${domain === undefined ? "no domain" : "a domain"}, path "${path}")`,
    );
  }
  if (name.startsWith("__Secure-") && !secure) {
    throw new TypeError(
      'option "cookie.name": a "__Secure-" cookie needs secure: true (received secure: false)',
    );
  }
  if (sameSite === "none" && !secure) {
    throw new TypeError(
      'option "cookie.sameSite": "none" needs secure: true (received secure: false; browsers drop it otherwise)',
    );
  }
  const secret = cookie?.secret;
  return Object.freeze({
    name,
    persistent: cookie?.persistent ?? d.cookie.persistent,
    secure,
    sameSite,
    domain,
    path,
    secrets: Object.freeze(
      secret === undefined ? [] : Array.isArray(secret) ? [...secret] : [secret],
    ),
  });
}

function resolveLifetime(session: SessionRouterOptions["session"]): Lifetime {
  const absoluteTimeout = ms(session?.absoluteTimeout ?? d.session.absoluteTimeout);
  // The default idle timeout gives way to a shorter absolute one; an explicit one may not.
  const idleTimeout =
    session?.idleTimeout === undefined
      ? Math.min(ms(d.session.idleTimeout), absoluteTimeout)
      : ms(session.idleTimeout);
  const touchInterval =
    session?.touchInterval === undefined
      ? Math.floor(idleTimeout * d.session.touchIntervalFraction)
      : ms(session.touchInterval);
  if (idleTimeout > absoluteTimeout) {
    throw new TypeError(
      `option "session.idleTimeout" (${idleTimeout / 1000} s) must not be longer than "session.absoluteTimeout" (${absoluteTimeout / 1000} s): a session never outlives its absolute timeout`,
    );
  }
  if (touchInterval >= idleTimeout) {
    throw new TypeError(
      `option "session.touchInterval" (${touchInterval / 1000} s) must be shorter than "session.idleTimeout" (${idleTimeout / 1000} s)`,
    );
  }
  return Object.freeze({
    idleTimeout,
    absoluteTimeout,
    touchInterval,
    storeTimeout: ms(session?.storeTimeout ?? d.session.storeTimeout),
  });
}
