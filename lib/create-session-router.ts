import {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import { createAuthenticate, type AuthenticateOptions } from "./authenticate.js";
import { createReporter } from "./events.js";
import { upstreamCustomerStore } from "./customers/upstream.js";
import { resolveOptions } from "./options/resolve.js";
import type { RouterOptions, SessionRouterOptions } from "./options/types.js";
import type { RouterContext } from "./routes/context.js";
import { deleteSession } from "./routes/delete-session.js";
import { getSession } from "./routes/get-session.js";
import { postSession } from "./routes/post-session.js";
import { SessionCookie } from "./session/cookie.js";
import { SessionManager } from "./session/session-manager.js";
import { UpstreamClient } from "./upstream/client.js";
import { createStoreApi } from "./upstream/forward.js";
import { SignInAttempts } from "./upstream/attempts.js";
import { TokenRefresher } from "./upstream/refresh.js";
import { signInRoutes } from "./upstream/sign-in.js";
import { MemorySessionStore } from "./stores/memory.js";
import type { SessionInfo } from "./stores/session-store.js";

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
   * With `upstream`: middleware that forwards `/store/*` to the backend as the signed-in
   * customer, or as a guest without a session cookie. Mount it at the app's root.
   */
  storeApi(): RequestHandler;
}

/**
 * Mounts POST, DELETE and GET `/auth/session` and returns the router with `authenticate()`.
 * Options are validated and resolved once, here; a bad option throws a TypeError naming it.
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
  const given = resolveOptions(options);
  // resolveOptions builds nothing: the default stores are made here.
  const resolved: RouterOptions = Object.freeze({
    ...given,
    sessions: given.sessions ?? new MemorySessionStore(),
    customers:
      given.customers ??
      upstreamCustomerStore({
        baseUrl: given.upstream!.baseUrl,
        publishableKey: given.upstream!.publishableKey,
        timeout: Math.ceil(given.upstream!.timeout),
      }),
  });
  const { logger } = resolved;
  const report = createReporter(resolved.onEvent, logger, resolved.logDebug);
  const sessions = new SessionManager(resolved, new SessionCookie(resolved.cookie), report);
  const ctx: RouterContext = {
    options: resolved,
    sessions,
    report,
    logger,
    policy: Object.freeze({ ...resolved.token, keys: resolved.keys, now: resolved.now }),
    keptToken: (ref, record) => sessions.keptToken(record, ref),
  };
  const upstream = resolved.upstream;
  const client = upstream === undefined ? undefined : new UpstreamClient(upstream);
  const refresher =
    client === undefined || upstream!.refresh === false
      ? undefined
      : new TokenRefresher(ctx, client, upstream!.refresh.remaining);
  if (refresher !== undefined) ctx.keptToken = (ref, record) => refresher.token(ref, record);
  const storeApi =
    client === undefined
      ? () => {
          throw new TypeError('storeApi() needs the "upstream" option of createSessionRouter');
        }
      : createStoreApi(ctx, client);

  const router = Router();
  const routes: SessionRoutes = {
    POST: postSession(ctx),
    GET: getSession(ctx),
    DELETE: deleteSession(ctx),
  };
  router.route(ROUTE).post(routes.POST).delete(routes.DELETE).get(routes.GET);
  if (client !== undefined) {
    const limits = upstream!.signInLimits;
    const attempts =
      limits === false ? undefined : new SignInAttempts(resolved.sessions, limits, report, logger);
    router.use(signInRoutes(ctx, client, attempts));
  }

  dispatchAuthPaths(router, routes);

  return Object.assign(router, {
    authenticate: createAuthenticate(ctx),
    revokeCustomerSessions: (customerId: string, revokeOptions: { except?: string } = {}) =>
      sessions.revoke(customerId, revokeOptions.except),
    listCustomerSessions: (customerId: string) => sessions.list(customerId),
    revokeSession: (sessionId: string) => sessions.revokeSession(sessionId),
    storeApi,
  }) as SessionRouter;
}

const ROUTE = "/auth/session";
// Every route of the router (the session routes and, with upstream, the sign-in routes).
const PREFIX = "/auth/";

type SessionRoutes = Record<"POST" | "GET" | "DELETE", (req: Request, res: Response) => void>;

/**
 * Mounted with `app.use(router)`, the router sees every request of the app. For all but the
 * routes under /auth/ it only has to say "not mine": checking the path prefix up front skips
 * the nested router's layer matching on the hot path of the app's own routes. The session
 * routes themselves, asked for by their exact path, go straight to their handler, which
 * needs nothing the router would add (params, baseUrl): the router's matching was a tenth of
 * a login's CPU. Everything else under /auth/ (another case, a trailing slash, HEAD, the
 * sign-in routes) goes through the router, which does the real matching.
 */
function dispatchAuthPaths(router: Router, routes: SessionRoutes): void {
  type Handle = (req: Request, res: Response, next: NextFunction) => void;
  const routed = router as unknown as { handle: Handle };
  const handle = routed.handle.bind(router);
  routed.handle = function handleAuthPaths(req, res, next) {
    const url = req.url;
    if (url.startsWith(ROUTE) && (url.length === ROUTE.length || url[ROUTE.length] === "?")) {
      const route = routes[req.method as keyof SessionRoutes];
      if (route !== undefined) return route(req, res);
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
