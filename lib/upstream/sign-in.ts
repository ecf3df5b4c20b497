import { Router, type Request, type Response } from "express";
import type { AccountChanges } from "../account/account-changes.js";
import { NoSessionError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { refuseCrossSite } from "../http/csrf.js";
import { handler } from "../http/handler.js";
import { sendJson } from "../http/respond.js";
import type { RouteDeps } from "../routes/deps.js";
import { bearerCredential } from "../token/read-bearer.js";
import { actingSession } from "./acting-session.js";
import type { Adopt } from "./adopt.js";
import type { SignInAttempts } from "./attempts.js";
import type { UpstreamClient } from "./client.js";
import { requestHeaders } from "./headers.js";
import { upstreamPath } from "./paths.js";
import type { ProviderBinding } from "./provider-binding.js";
import type { TokenRefresher } from "./refresh.js";
import { readRequestBody, type RequestBody } from "./request-body.js";
import { accountOf, signInFields } from "./sign-in-body.js";
import { newStandIn, standInFields } from "./stand-in.js";
import { readTokenAnswer, sendTokenAnswer, type TokenAnswer } from "./token-answer.js";

const PROVIDER = /^[A-Za-z0-9_-]{1,64}$/;

/** What the sign-in routes are built from. */
export interface SignInDeps {
  route: RouteDeps;
  client: UpstreamClient;
  adopt: Adopt;
  refresher: TokenRefresher;
  attempts: SignInAttempts | undefined;
  binding: ProviderBinding;
  /** Remembers who signed in; ends the account's sessions after a password update. */
  account?: AccountChanges;
}

/**
 * One sign-in request as the BFF read it: its backend path, its body and the body's fields,
 * and when the BFF began it (before the backend was asked).
 */
interface SignInRequest {
  path: string;
  body: RequestBody | undefined;
  fields: Record<string, unknown>;
  began: number;
}

type Handle = (req: Request, res: Response, signIn: SignInRequest) => Promise<void>;

interface ExchangeOptions {
  authorization?: string;
  issuesTokens?: boolean;
  untilDone?: boolean;
}

interface KeepOptions {
  since: number;
  identifier?: string | undefined;
  actingAs?: { id: string };
}

/**
 * The sign-in routes (`upstream`): each is forwarded to the backend, and a token in the answer
 * is kept in a session (started or upgraded: Set-Cookie, a fresh session id, the previous one
 * ended) while the browser gets a stand-in in its place. Password sign-ins are counted
 * against `upstream.signInLimits`; a third-party sign-in is bound to the browser that began it.
 */
export function signInRoutes(deps: SignInDeps): Router {
  const { route: routeDeps, client, adopt, refresher, attempts, binding, account } = deps;
  const { sessions, options, failure } = routeDeps;
  const { publishableKey } = client.options;

  /**
   * One exchange with the backend: this route's path, the body read here, identity-encoded.
   * `issuesTokens`: false for routes whose answer never carries one. `untilDone`: the call
   * goes on when the browser leaves (its outcome matters to the BFF even then).
   */
  async function exchange(
    req: Request,
    signIn: SignInRequest,
    { authorization, issuesTokens = true, untilDone = false }: ExchangeOptions = {},
  ): Promise<TokenAnswer> {
    const headers = requestHeaders(req, signIn.body, { publishableKey, identity: true });
    if (authorization !== undefined) headers.authorization = authorization;
    const { method } = req;
    const { path, body } = signIn;
    const bytes = body?.bytes;
    const answer = await client.read({
      method,
      path,
      headers,
      body: bytes,
      client: untilDone ? undefined : req.res,
    });
    return readTokenAnswer(answer, { issuesTokens });
  }

  /** Wraps a route: the CSRF check, the path under /auth, the body read and judged. */
  function route(name: string, handle: Handle, challenge = false) {
    return handler(failure, name, { challenge, operation: "sign-in" }, async (req, res) => {
      const began = options.now();
      // A sign-in planted by another site (login CSRF) is refused like any cross-site write.
      refuseCrossSite(req, options.csrf);
      const path = upstreamPath(withoutRemember(req.url), "/auth");
      if (path === undefined)
        throw new StoreApiError("invalid_data", "The request path is not allowed.");
      const body = await readRequestBody(req, res, client.options);
      await handle(req, res, { path, body, fields: signInFields(req, body), began });
    });
  }

  // `identifier`: the account field of a password sign-in or registration, remembered with the
  // identity and customer the kept token names, for a password update to find (account/).
  // `actingAs`: the session a sign-in step was sent as, which must still be live.
  const keepIn =
    (req: Request, res: Response, { since, identifier, actingAs }: KeepOptions) =>
    async (token: string) => {
      const provider = String(req.params.provider ?? "");
      const named = { provider, identifier };
      const standIn = await adopt(req, res, token, { since, actingAs, account: named });
      await account?.signedIn(provider, identifier, token);
      return standIn;
    };

  const router = Router({ caseSensitive: false });
  router.param("provider", (_req, _res, next, provider: string) => {
    // The provider becomes part of the backend path: a name, never a path.
    next(PROVIDER.test(provider) ? undefined : "route");
  });

  // Password sign-in, or the start of a third-party one: counted against the limits.
  router.post(
    "/auth/customer/:provider",
    route("bffSignIn", async (req, res, signIn) => {
      const gate = await attempts?.begin(accountOf(signIn.fields), req.ip);
      let from: TokenAnswer;
      try {
        from = await exchange(req, signIn);
      } catch (error) {
        await gate?.settle("neither");
        throw error;
      }
      const ok = from.status >= 200 && from.status < 300;
      await gate?.settle(ok ? "succeeded" : from.status === 401 ? "failed" : "neither");
      if (from.status === 401) routeDeps.failure.report({ type: "signin.failed", status: 401 });
      if (ok && from.json?.location !== undefined) binding.bind(res, from.json.location);
      await sendTokenAnswer(
        res,
        from,
        keepIn(req, res, { since: signIn.began, identifier: accountOf(signIn.fields) }),
      );
    }),
  );

  // Registration: a token starts a pending session.
  router.post(
    "/auth/customer/:provider/register",
    route("bffRegister", async (req, res, signIn) =>
      sendTokenAnswer(
        res,
        await exchange(req, signIn),
        keepIn(req, res, { since: signIn.began, identifier: accountOf(signIn.fields) }),
      ),
    ),
  );

  // A provider's callback: only in the browser that began this sign-in.
  const callback = route("bffSignInCallback", async (req, res, signIn) => {
    binding.check(req, res);
    await sendTokenAnswer(
      res,
      await exchange(req, signIn),
      keepIn(req, res, { since: signIn.began }),
    );
  });
  router.get("/auth/customer/:provider/callback", callback);
  router.post("/auth/customer/:provider/callback", callback);

  // Password reset: nothing to keep. `update` carries the reset token from the e-mail link.
  router.post(
    "/auth/customer/:provider/reset-password",
    route("bffPasswordReset", async (req, res, signIn) =>
      sendTokenAnswer(res, await exchange(req, signIn, { issuesTokens: false })),
    ),
  );
  router.post(
    "/auth/customer/:provider/update",
    route("bffPasswordUpdate", async (req, res, signIn) => {
      // The reset token is read where the BFF can see it, exactly as it is sent on: one in the
      // query string, or an Authorization the BFF reads otherwise than the backend (a tab, a
      // second word), would change the password without the sessions ending.
      const { authorization } = req.headers;
      const resetToken = bearerCredential(authorization);
      const inQuery =
        signIn.path.includes("?") && new URLSearchParams(signIn.path.split("?")[1]).has("token");
      if (inQuery || (authorization !== undefined && resetToken === undefined))
        throw new StoreApiError("invalid_data", "Send the reset token as Authorization: Bearer.");
      const authorizationSent = resetToken === undefined ? undefined : `Bearer ${resetToken}`;
      const provider = String(req.params.provider);
      let from: TokenAnswer;
      try {
        // The update runs to its end at the backend when the browser leaves; so does this call.
        from = await exchange(req, signIn, {
          authorization: authorizationSent,
          issuesTokens: false,
          untilDone: true,
        });
      } catch (error) {
        // No answer the BFF can read (a timeout, a broken connection, an answer it refuses):
        // the password may have changed. A wrong sign-out costs a sign-in; a stolen session
        // left alive costs the account.
        await account?.passwordUpdated(provider, resetToken);
        throw error;
      }
      // Every session of the account ends before the browser hears of the new password.
      if (from.status >= 200 && from.status < 300)
        await account?.passwordUpdated(provider, resetToken);
      await sendTokenAnswer(res, from);
    }),
  );

  // MFA and verification, as the session (pending or not): a token in the answer upgrades it.
  router.all(
    /^\/auth\/(mfa|verification)\/.+$/,
    route(
      "bffSignInStep",
      async (req, res, signIn) => {
        const { ref, token } = await actingSession(routeDeps, req, { refresh: true });
        await sendTokenAnswer(
          res,
          await exchange(req, signIn, { authorization: `Bearer ${token}` }),
          keepIn(req, res, { since: signIn.began, actingAs: ref }),
        );
      },
      true,
    ),
  );

  // The SDK's auth.refresh(): the kept token is refreshed; the browser gets a stand-in.
  router.post(
    "/auth/token/refresh",
    route(
      "bffTokenRefresh",
      async (req, res, signIn) => {
        const acting = await actingSession(routeDeps, req, { refresh: false });
        if (acting.record.pending === true) {
          // Registration or MFA completed meanwhile: the fresh token starts the customer's session.
          const from = await exchange(req, signIn, { authorization: `Bearer ${acting.token}` });
          if (from.status === 401)
            return void (await endRefused(acting.ref.id, acting.record.customerId));
          return void (await sendTokenAnswer(
            res,
            from,
            keepIn(req, res, { since: signIn.began, actingAs: acting.ref }),
          ));
        }
        const result = await refresher.refresh(acting.ref, acting.record);
        if (result.outcome === "ended")
          throw new NoSessionError("the backend refused the token", { clearCookie: true });
        if (result.outcome === "failed") throw result.error;
        // Skipped: another request refreshes right now; its token is the one to keep.
        const record =
          result.outcome === "refreshed"
            ? result.record
            : await sessions.load(acting.ref.id, { touch: false });
        if (record === undefined)
          throw new NoSessionError("the session ended meanwhile", { clearCookie: true });
        const { standIn, hash } = newStandIn();
        const fields = standInFields(hash, options.now());
        const updated = { ...record, standIn: fields.hash, standInExpiresAt: fields.expiresAt };
        if (!(await sessions.replace(acting.ref.id, updated)))
          throw new NoSessionError("the session ended meanwhile", { clearCookie: true });
        sendJson(res, 200, { token: standIn });
      },
      true,
    ),
  );

  async function endRefused(id: string, customerId: string): Promise<never> {
    await sessions.end(id, customerId, "upstream_unauthorized");
    throw new NoSessionError("the backend refused the token", { clearCookie: true });
  }

  return router;
}

/** The token of an `Authorization: Bearer …` header (the reset token of a password update). */
/**
 * The URL without `remember`, which is this BFF's ("remember me" for the cookie), not the
 * backend's; everything else of the query (a provider's `code` and `state`) as sent.
 */
function withoutRemember(url: string): string {
  const start = url.indexOf("?");
  if (start === -1 || !url.includes("remember", start)) return url;
  const query = new URLSearchParams(url.slice(start + 1));
  if (!query.has("remember")) return url;
  query.delete("remember");
  const rest = query.toString();
  return url.slice(0, start) + (rest === "" ? "" : `?${rest}`);
}
