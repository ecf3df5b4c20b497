import type { RequestHandler } from "express";
import type { AccountChanges } from "../account/account-changes.js";
import type { CustomerStore } from "../customers/customer-store.js";
import type { SessionEvent } from "../events.js";
import type { ResolvedUpstream } from "../options/upstream-types.js";
import type { StandInSignIn } from "../routes/post-session.js";
import type { CustomerTokens, RouteDeps } from "../routes/deps.js";
import type { OpenedTokens } from "../session/customer-token.js";
import type { SessionStore } from "../stores/session-store.js";
import type { Router } from "express";
import { GuardedStore } from "../session/guarded-store.js";
import { adopter, issuedTokenVerifier } from "./adopt.js";
import { SignInAttempts } from "./attempts.js";
import { UpstreamClient } from "./client.js";
import { Carts } from "./cart.js";
import { CartCookie } from "./cart-cookie.js";
import { CartMemory } from "./cart-memory.js";
import { backendCustomers } from "../customers/upstream.js";
import { createStoreApi } from "./forward.js";
import { ProviderBinding } from "./provider-binding.js";
import { SecretsCheck } from "./secrets-check.js";
import { TokenRefresher } from "./refresh.js";
import { signInRoutes } from "./sign-in.js";
import { standInSignIn } from "./stand-in.js";

/** What the backend side is built from: the session core, and the `upstream` options. */
export interface UpstreamDeps extends Omit<RouteDeps, "loadCustomer" | "customerTokens"> {
  store: SessionStore;
  opened: OpenedTokens;
  report: (event: SessionEvent) => void;
  /** Sign-ins are remembered and password updates end sessions (account-changes.ts). */
  account: AccountChanges;
  upstream: ResolvedUpstream;
}

/** The backend side of the router, built once: what `createSessionRouter` mounts and calls. */
export interface Upstream {
  /** The default CustomerStore: the backend's `GET /store/customers/me`. */
  customers: CustomerStore;
  /** The kept token, refreshed when due. */
  customerTokens: CustomerTokens;
  /** The cart rules' sign-in and sign-out side. */
  cart: Carts;
  standInSignIn(deps: RouteDeps): StandInSignIn;
  signInRoutes(deps: RouteDeps): Router;
  storeApi(deps: RouteDeps): () => RequestHandler;
  /** Resolves when the backend answers its health route (any status below 500). */
  probe(): Promise<void>;
  /**
   * Compares this instance's secrets with those of the others sharing the store (an error in
   * the log when they differ); never rejects. Run at setup and with each readiness check.
   */
  checkSecrets(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the BFF's backend side: one client for every backend call, the one refresh path,
 * the attempt limits, and the sign-in and forwarding routes on top of them.
 */
export function createUpstream(deps: UpstreamDeps): Upstream {
  const { sessions, policy, logger, report, upstream } = deps;
  const client = new UpstreamClient(upstream);
  const verifyIssued = issuedTokenVerifier(policy, logger);
  const refresher = new TokenRefresher({
    sessions,
    opened: deps.opened,
    client,
    verifyIssued,
    report,
    logger,
    now: deps.options.now,
    remaining: upstream.refresh === false ? false : upstream.refresh.remaining,
  });
  const limits = upstream.signInLimits;
  if (limits !== false && !deps.options.capabilities.attemptCounter) {
    logger.warn(
      {},
      "bff-session: this session store has no attemptCounter(); failed sign-ins are counted per process, not shared between instances",
    );
  }
  const attempts =
    limits === false
      ? undefined
      : new SignInAttempts(deps.store, limits, deps.options.secrets.hash, report);
  const binding = new ProviderBinding(deps.options.cookie);
  const { options } = deps;
  const guarded = new GuardedStore(deps.store, options.lifetime.storeTimeout, report);
  const secretsCheck = options.secrets.given
    ? new SecretsCheck(guarded, options.secrets, options.now, logger)
    : undefined;
  const checkSecrets = async () => {
    try {
      await secretsCheck?.run();
    } catch (error) {
      // The store failed: reported as store.error already; the next check tries again.
      logger.warn({ err: error }, "bff-session: the secrets check could not use the store");
    }
  };
  void checkSecrets();
  const carts = new Carts({
    client,
    cookie: new CartCookie(options),
    memory: new CartMemory(guarded, options.now),
    guard: options.cart.guard,
    csrf: options.csrf,
    report,
    logger,
  });
  return {
    cart: carts,
    customers: backendCustomers(client),
    customerTokens: refresher,
    standInSignIn: (route) => standInSignIn(route),
    signInRoutes: (route) =>
      signInRoutes({
        route,
        client,
        adopt: adopter(route, report, verifyIssued, (account, since) =>
          deps.account.changedSince(account, since),
        ),
        refresher,
        attempts,
        binding,
        account: deps.account,
      }),
    storeApi: (route) => createStoreApi({ route, client, carts }),
    probe: async () => {
      const answer = await client.read({
        method: "GET",
        path: "/health",
        headers: {},
        untraced: true,
      });
      if (answer.status >= 500) throw new Error(`GET /health answered ${answer.status}`);
    },
    checkSecrets,
    close: () => client.close(),
  };
}
