import type { IncomingHttpHeaders } from "node:http";
import { Router, type Request, type Response } from "express";
import { checkCrossSite } from "../csrf.js";
import { NoSessionError, TokenRejectedError } from "../errors/internal-errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { appendSetCookie, fail, setSessionCookie, type RouterContext } from "../routes/context.js";
import { keptToken } from "../session/kept-token.js";
import type { SessionRef } from "../session/session-manager.js";
import { newStandIn } from "../session/stand-in.js";
import type { SessionRecord } from "../stores/session-store.js";
import { verifyToken } from "../token/verify-token.js";
import type { SignInAttempts } from "./attempts.js";
import type { UpstreamClient } from "./client.js";
import {
  bodyParsed,
  copyResponseHeaders,
  parsedBody,
  requestHeaders,
  unavailable,
} from "./forward.js";

// Sign-in bodies are a few fields; anything larger is refused before it is read further.
const MAX_BODY = 64 * 1024;
const PROVIDER = /^[A-Za-z0-9_-]{1,64}$/;
const TOO_MANY = { message: "Too many sign-in attempts. Try again later.", type: "not_allowed" };

/** How a route sends the customer's credentials to the backend. */
type Credentials =
  /** None: a sign-in or a password reset request. */
  | "none"
  /** The browser's own `Authorization` (the reset token from the e-mail link, `…/update`). */
  | "browser"
  /** The session's kept token, pending ones included (MFA, verification, refresh). */
  | "session";

/**
 * The sign-in routes (`upstream`): each is forwarded to the backend, and a token in the answer
 * is kept in a session (started or upgraded: Set-Cookie, a fresh session id, the previous one
 * destroyed) while the browser gets a stand-in in its place. Password sign-ins are counted
 * against `upstream.signInLimits`.
 */
export function signInRoutes(
  ctx: RouterContext,
  client: UpstreamClient,
  attempts: SignInAttempts | undefined,
): Router {
  const { sessions, options, policy, report, logger } = ctx;
  const { publishableKey } = client.options;

  /**
   * One exchange with the backend (this route's path, the query as sent): the answer's status,
   * headers and whole body. `authorization` is the header to send, if any. An unreachable or
   * slow backend becomes a BackendError (502/504).
   */
  async function exchange(req: Request, body: Buffer | undefined, authorization?: string) {
    const headers = requestHeaders(req.headers, undefined, publishableKey);
    if (authorization !== undefined) headers.authorization = authorization;
    if (body !== undefined) headers["content-length"] = String(body.length);
    delete headers["content-encoding"]; // the body was read (and inflated by a parser) here
    const path = req.path + backendQuery(req.originalUrl);
    try {
      const answer = await client.request({ path, method: req.method as "POST", headers, body });
      return {
        status: answer.statusCode,
        headers: answer.headers,
        body: Buffer.from(await answer.body.arrayBuffer()),
      };
    } catch (error) {
      throw new BackendError(error);
    }
  }

  /**
   * Keeps a token the backend issued in a new session (customer, or pending when it names no
   * customer yet) and resolves the stand-in the browser gets instead. Session fixation rules
   * as for POST /auth/session: the session the browser brought along is destroyed.
   */
  async function adopt(req: Request, res: Response, token: string): Promise<string> {
    const { claims, customerId } = await verifyIssued(token);
    const pending = customerId === "";
    const owner = pending ? `identity:${String(claims.auth_identity_id ?? "")}` : customerId;
    const previous = sessions.fromRequest(req);
    if (previous !== undefined) await sessions.destroy(previous.id, undefined, "replaced");
    const { standIn, hash } = newStandIn();
    const created = await sessions.create(owner, req, keptToken(token, claims, options.now()), {
      pending,
      standIn: hash,
    });
    setSessionCookie(ctx, req, res, created);
    report({ type: "signin.succeeded", sessionId: created.id, customerId: owner, pending });
    return standIn;
  }

  /**
   * A token the backend just issued, verified. One that does not verify with `keys` means the
   * BFF is misconfigured (another secret or key set than the backend's): a 500 and a log line,
   * never a 401 that would send the customer to sign in again, into the same failure.
   */
  async function verifyIssued(token: string) {
    try {
      return await verifyToken(token, policy, { unregistered: true });
    } catch (error) {
      logger.error(
        { err: error },
        "bff-session: a token from the backend does not verify with the `keys` option",
      );
      throw new StoreApiError("unexpected_state", "The sign-in could not be completed.");
    }
  }

  /**
   * The session a route acting as the customer needs (pending ones too), or a 401. A customer
   * session's token is refreshed first when due, as for any use, unless the route is the
   * refresh itself (`as: "is"`).
   */
  async function currentSession(req: Request, res: Response, as: "due" | "is" = "due") {
    const ref = sessions.fromRequest(req);
    const record = ref === undefined ? undefined : await sessions.load(ref.id, true, true);
    const token =
      record === undefined
        ? undefined
        : record.pending === true || as === "is"
          ? sessions.keptToken(record, ref!)
          : await ctx.keptToken(ref!, record);
    if (token === undefined) {
      if (sessions.cookie.isPresent(req.headers.cookie))
        appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("no session to act for");
    }
    return { ref: ref!, record: record!, token };
  }

  /**
   * Sends the backend's answer on: its status and its body, where a `token` is kept and
   * swapped for a stand-in (2xx, on routes that `keep`) or left out; never its cookies.
   */
  async function answer(
    res: Response,
    from: { status: number; headers: IncomingHttpHeaders; body: Buffer },
    keep?: (token: string) => Promise<string>,
  ): Promise<void> {
    let body = from.body;
    const parsed = /^application\/json/i.test(String(from.headers["content-type"]))
      ? parseJson(body)
      : undefined;
    if (parsed !== undefined && "token" in parsed) {
      const ok = from.status >= 200 && from.status < 300;
      if (ok && keep !== undefined && typeof parsed.token === "string") {
        parsed.token = await keep(parsed.token);
      } else {
        delete parsed.token;
      }
      body = Buffer.from(JSON.stringify(parsed));
    }
    copyResponseHeaders(from.headers, res);
    res.removeHeader("content-length");
    res.removeHeader("content-encoding");
    res.removeHeader("etag");
    res.status(from.status).end(body);
  }

  /** Wraps a route: CSRF check, the body read, no caching, errors in the documented shapes. */
  function route(
    credentials: Credentials,
    handle: (req: Request, res: Response, body: Buffer | undefined) => Promise<void>,
  ) {
    return function bffSignIn(req: Request, res: Response): void {
      res.setHeader("Cache-Control", "no-store");
      (async () => {
        // A sign-in planted by another site (login CSRF) is refused like any cross-site write.
        const crossSite = checkCrossSite(req, options.csrf);
        if (crossSite !== undefined) throw crossSite;
        const body = await readBody(req);
        await handle(req, res, body);
      })().catch((error: unknown) => {
        if (error instanceof BackendError) unavailable(ctx, res, error.cause, "sign-in");
        else fail(ctx, res, error, credentials === "session");
      });
    };
  }

  const router = Router({ caseSensitive: false });
  router.param("provider", (_req, _res, next, provider: string) => {
    // The provider becomes part of the backend path: a name, never a path.
    next(PROVIDER.test(provider) ? undefined : "route");
  });

  // Password sign-in: counted against the limits, refused with 429 once past them.
  router.post(
    "/auth/customer/:provider",
    route("none", async (req, res, body) => {
      const gate = await attempts?.begin(identifierOf(req, body), req.ip);
      if (gate !== undefined && !gate.allowed) {
        res.setHeader("Retry-After", String(gate.retryAfter));
        res.status(429).json(TOO_MANY);
        return;
      }
      let from;
      try {
        from = await exchange(req, body);
      } catch (error) {
        await gate?.settle("neither");
        throw error;
      }
      const outcome =
        from.status >= 200 && from.status < 300
          ? "succeeded"
          : from.status === 401
            ? "failed"
            : "neither";
      await gate?.settle(outcome);
      if (outcome === "failed") report({ type: "signin.failed", status: from.status });
      await answer(res, from, (token) => adopt(req, res, token));
    }),
  );

  // Registration, a provider's callback: a token starts a (pending) session.
  const adopting = route("none", async (req, res, body) => {
    await answer(res, await exchange(req, body), (token) => adopt(req, res, token));
  });
  router.post("/auth/customer/:provider/register", adopting);
  router.get("/auth/customer/:provider/callback", adopting);
  router.post("/auth/customer/:provider/callback", adopting);

  // Password reset: nothing to keep. `update` carries the reset token from the e-mail link.
  router.post(
    "/auth/customer/:provider/reset-password",
    route("none", async (req, res, body) => answer(res, await exchange(req, body))),
  );
  router.post(
    "/auth/customer/:provider/update",
    route("browser", async (req, res, body) =>
      answer(res, await exchange(req, body, req.headers.authorization)),
    ),
  );

  // MFA and verification, as the session (pending or not): a token in the answer upgrades it.
  const asSession = route("session", async (req, res, body) => {
    const { token } = await currentSession(req, res);
    const from = await exchange(req, body, `Bearer ${token}`);
    await answer(res, from, (fresh) => adopt(req, res, fresh));
  });
  router.all(/^\/auth\/(mfa|verification)\/.+$/, asSession);

  // The SDK's auth.refresh(): the kept token is refreshed; the browser gets a stand-in.
  router.post(
    "/auth/token/refresh",
    route("session", async (req, res, body) => {
      const { ref, record, token } = await currentSession(req, res, "is");
      const from = await exchange(req, body, `Bearer ${token}`);
      if (from.status === 401) {
        await sessions.destroy(ref.id, record.customerId, "upstream_unauthorized");
        appendSetCookie(res, sessions.cookie.clear());
        throw new TokenRejectedError("invalid");
      }
      await answer(res, from, (fresh) => refreshed(req, res, ref, record, fresh));
    }),
  );

  /**
   * A refreshed token for the same customer replaces the kept one in the same session; one
   * that names a customer where there was none (registration or MFA completed) starts a new
   * session; one for another customer ends the session.
   */
  async function refreshed(
    req: Request,
    res: Response,
    ref: SessionRef,
    record: SessionRecord,
    fresh: string,
  ): Promise<string> {
    if (record.pending === true) return adopt(req, res, fresh);
    const verified = await verifyIssued(fresh);
    if (verified.customerId !== record.customerId) {
      await sessions.destroy(ref.id, record.customerId, "customer_changed");
      appendSetCookie(res, sessions.cookie.clear());
      throw new TokenRejectedError("actor_id");
    }
    const { standIn, hash } = newStandIn();
    const kept = keptToken(fresh, verified.claims, options.now());
    if (!(await sessions.replaceToken(ref, record, kept, hash))) {
      throw new NoSessionError("the session ended meanwhile");
    }
    report({ type: "token.refreshed", sessionId: ref.id, customerId: record.customerId });
    return standIn;
  }

  return router;
}

/** The backend could not be reached or did not answer in time: 502/504. */
class BackendError extends Error {
  constructor(override readonly cause: unknown) {
    super("the commerce backend failed", { cause });
  }
}

/**
 * The request body as bytes, read here (bounded) or, when a body parser ran before, written
 * out again from what it parsed. Undefined for a request without one.
 */
async function readBody(req: Request): Promise<Buffer | undefined> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (bodyParsed(req)) {
    const parsed = parsedBody(req);
    return parsed.length === 0 ? undefined : Buffer.from(parsed);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new StoreApiError("invalid_data", "The request body is too large.");
    chunks.push(chunk as Buffer);
  }
  return size === 0 ? undefined : Buffer.concat(chunks);
}

/**
 * The query string as the browser sent it (a provider's callback carries `code` and `state`),
 * without `remember`, which is this BFF's ("remember me" for the cookie), not the backend's.
 */
function backendQuery(url: string): string {
  const start = url.indexOf("?");
  if (start === -1) return "";
  const query = new URLSearchParams(url.slice(start + 1));
  if (!query.has("remember")) return url.slice(start);
  query.delete("remember");
  const rest = query.toString();
  return rest === "" ? "" : `?${rest}`;
}

/** The account a password sign-in is for: the body's `email` or `username`. */
function identifierOf(req: Request, body: Buffer | undefined): string | undefined {
  if (body === undefined) return undefined;
  let fields: Record<string, unknown> | undefined;
  if (/^application\/x-www-form-urlencoded/i.test(String(req.headers["content-type"]))) {
    fields = Object.fromEntries(new URLSearchParams(body.toString()));
  } else {
    fields = parseJson(body);
  }
  const id = fields?.email ?? fields?.username;
  return typeof id === "string" && id.length > 0 ? id.slice(0, 512) : undefined;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString());
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
