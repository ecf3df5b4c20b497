import {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import { accountChanges } from "./account/account-changes.js";
import type { BackChannelOptions } from "./account/back-channel.js";
import { createAuthenticate, type AuthenticateOptions } from "./authenticate.js";
import { customerLoader } from "./customers/load-customer.js";
import { createReporter } from "./events.js";
import { resolveOptions } from "./options/resolve.js";
import type { SessionRouterOptions } from "./options/types.js";
import type { CustomerTokens, RouteDeps } from "./routes/deps.js";
import { deleteSession } from "./routes/delete-session.js";
import { getSession } from "./routes/get-session.js";
import { postSession } from "./routes/post-session.js";
import { SessionCookie } from "./session/cookie.js";
import { OpenedTokens } from "./session/customer-token.js";
import { GuardedStore } from "./session/guarded-store.js";
import { Sessions } from "./session/sessions.js";
import { MemorySessionStore } from "./stores/memory.js";
import type { SessionInfo } from "./stores/session-store.js";
import { startTelemetry } from "./observability/otel.js";
import {
  readinessHandler,
  type ReadinessCheck,
  type ReadinessOptions,
} from "./observability/readiness.js";
import { createUpstream } from "./upstream/create-upstream.js";

/**
 * The Express router `createSessionRouter` returns, with the session API attached.
 *
 * @example
 * ```ts
 * const sessions: SessionRouter = createSessionRouter(options);
 * app.use(sessions);
 * app.post("/store/customers/me/password", sessions.authenticate(), async (req, res) => {
 *   await changePassword(req.auth!.customerId, req.body);
 *   await sessions.revokeCustomerSessions(req.auth!.customerId, { except: req.auth!.sessionId });
 *   res.json({ ok: true });
 * });
 * ```
 */
export interface SessionRouter extends Router {
  /** Middleware for the app's own routes: sets `req.auth` or answers 401. */
  authenticate(options?: AuthenticateOptions): RequestHandler;
  /** Ends every session of a customer (password change, "sign out everywhere"); resolves how many. */
  revokeCustomerSessions(customerId: string, options?: { except?: string }): Promise<number>;
  /** The customer's live sessions, newest use first: metadata only, never a token. */
  listCustomerSessions(customerId: string): Promise<SessionInfo[]>;
  /**
   * Ends one session ("sign out that device") by the `sessionId` that `req.auth` and
   * `listCustomerSessions` give; resolves false when there was no such session.
   */
  revokeSession(sessionId: string): Promise<boolean>;
  /**
   * With `upstream`: middleware that forwards `/store/*` (below where it is mounted) to the
   * backend as the signed-in customer, or as a guest without a session cookie.
   */
  storeApi(): RequestHandler;
  /**
   * A readiness check for load balancers, to mount where the app likes: 200 when the session
   * store answers, the backend answers (`upstream`) and the token keys can be had (a remote
   * JWKS loaded), else 503 naming which check fails; never an error's text.
   */
  readiness(options?: ReadinessOptions): RequestHandler;
  /**
   * The back-channel for the commerce backend's side (`bff-session/medusa`): a handler to mount
   * at the URL given there, e.g. `app.post("/bff/back-channel", sessions.backChannel({ secret }))`.
   * A signed `customer.deleted` call ends every session of that customer; unsigned, stale (over
   * 60 s) and replayed calls get 401. See "Account changes end sessions" in docs/upstream.md.
   */
  backChannel(options: BackChannelOptions): RequestHandler;
  /**
   * Releases what the router holds: the connections to the backend (`upstream`). In-flight
   * requests finish first. The stores are the app's, and stay open.
   */
  close(): Promise<void>;
}

/**
 * Mounts POST, DELETE and GET `/auth/session` (and, with `upstream`, the sign-in routes) and
 * returns the router with `authenticate()`. Options are validated and resolved once, here; a
 * bad option throws a TypeError naming it.
 *
 * @example
 * ```ts
 * const sessions = createSessionRouter({
 *   keys: hmacSecret(process.env.JWT_SECRET!),
 *   customers: { retrieve: (id) => db.findCustomer(id) },
 * });
 * app.use(sessions);
 * app.get("/store/customers/me", sessions.authenticate(), (req, res) => res.json({ id: req.auth!.customerId }));
 * app.use(errorHandler());
 * ```
 */
export function createSessionRouter(options: SessionRouterOptions): SessionRouter {
  const resolved = resolveOptions(options);
  // OpenTelemetry, when the app has @opentelemetry/api: loaded once, in the background.
  startTelemetry();
  const { logger, now } = resolved;
  const report = createReporter(resolved.onEvent, logger, resolved.logDebug);
  const cookie = new SessionCookie(resolved.cookie);
  const store = resolved.sessions ?? new MemorySessionStore();
  const guarded = new GuardedStore(store, resolved.lifetime.storeTimeout, report);
  const sessions = new Sessions({
    store: guarded,
    cookie,
    lifetime: resolved.lifetime,
    limits: resolved.limits,
    tokenCapsSession: !resolved.upstream?.refresh,
    observed: resolved.onEvent !== undefined || resolved.logDebug,
    report,
    logger,
    now,
  });
  const failure = { report, logger, clearCookie: cookie.clear() };
  const policy = Object.freeze({ ...resolved.token, keys: resolved.keys, now });
  const opened = new OpenedTokens();
  const kept: CustomerTokens = {
    asKept: (ref, record) => opened.open(record, ref.token),
    forUse: (ref, record) => opened.open(record, ref.token),
  };
  const base = { sessions, policy, options: resolved, failure, logger };
  // Password updates and deleted customers end sessions (docs/upstream.md).
  const account = accountChanges({ ...base, store: guarded, report });
  const upstream =
    resolved.upstream === undefined
      ? undefined
      : createUpstream({ ...base, store, opened, report, account, upstream: resolved.upstream });
  const customers = resolved.customers ?? upstream!.customers;
  const deps: RouteDeps = {
    ...base,
    loadCustomer: customerLoader(customers, report, logger),
    customerTokens: upstream?.customerTokens ?? kept,
    cart: upstream?.cart,
  };

  const router = Router();
  const routes: SessionRoutes = {
    POST: postSession(deps, upstream?.standInSignIn(deps)),
    GET: getSession(deps),
    DELETE: deleteSession(deps),
  };
  router.route(ROUTE).post(routes.POST).delete(routes.DELETE).get(routes.GET);
  if (upstream !== undefined) router.use(upstream.signInRoutes(deps));
  dispatchAuthPaths(router, routes);

  const checks: Record<string, ReadinessCheck> = {
    // A read of a key no session has: the store's round trip, within `storeTimeout`. The
    // secrets check runs alongside and never fails readiness (a rotation rolling out must not
    // take instances out of service): each probe lets every instance see a mismatch.
    store: async () => {
      void upstream?.checkSecrets();
      await guarded.call("get", () => store.get(READY_PROBE));
    },
    keys: async () => void (await resolved.keys.getKeys({ alg: resolved.keys.algorithms[0]! })),
  };
  if (upstream !== undefined) checks.backend = () => upstream.probe();
  const storeApi =
    upstream === undefined
      ? () => {
          throw new TypeError('storeApi() needs the "upstream" option of createSessionRouter');
        }
      : upstream.storeApi(deps);
  return Object.assign(router, {
    authenticate: createAuthenticate(deps),
    revokeCustomerSessions: (customerId: string, revokeOptions: { except?: string } = {}) =>
      sessions.revokeCustomer(customerId, revokeOptions.except),
    listCustomerSessions: (customerId: string) => sessions.list(customerId),
    revokeSession: (sessionId: string) => sessions.revokeSession(sessionId),
    storeApi,
    backChannel: (backChannelOptions: BackChannelOptions) =>
      account.backChannel(backChannelOptions),
    readiness: (readinessOptions?: ReadinessOptions) =>
      readinessHandler(checks, {
        onFailure: (name, err) => logger.warn({ err, check: name }, "bff-session: not ready"),
        ...readinessOptions,
      }),
    close: () => upstream?.close() ?? Promise.resolve(),
  }) as SessionRouter;
}

const ROUTE = "/auth/session";
// Shaped like no session id (those are 43 characters): a store lookup that finds nothing.
const READY_PROBE = "bff-session-readiness-probe";
// Every route of the router (the session routes and, with upstream, the sign-in routes).
const PREFIX = "/auth/";

type SessionRoutes = Record<
  "POST" | "GET" | "DELETE",
  (req: Request, res: Response, next: NextFunction) => void
>;

/**
 * Mounted with `app.use(router)`, the router sees every request of the app. For all but the
 * routes under /auth/ it only has to say "not mine": checking the path prefix up front skips
 * the nested router's layer matching on the hot path of the app's own routes. The session
 * routes themselves, asked for by their exact path, go straight to their handler, which
 * needs nothing the router would add (params, baseUrl). Everything else under /auth/ (another
 * case, a trailing slash, HEAD, the sign-in routes) goes through the router.
 */
function dispatchAuthPaths(router: Router, routes: SessionRoutes): void {
  type Handle = (req: Request, res: Response, next: NextFunction) => void;
  const routed = router as unknown as { handle: Handle };
  const handle = routed.handle.bind(router);
  routed.handle = function handleAuthPaths(req, res, next) {
    const url = req.url;
    if (url.startsWith(ROUTE) && (url.length === ROUTE.length || url[ROUTE.length] === "?")) {
      const route = routes[req.method as keyof SessionRoutes];
      if (route !== undefined) return route(req, res, next);
    }
    if (
      url.startsWith(PREFIX) ||
      (url.length >= PREFIX.length && url.slice(0, PREFIX.length).toLowerCase() === PREFIX)
    ) {
      handle(req, res, next);
      return;
    }
    next();
  };
}
