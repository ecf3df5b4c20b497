import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import type { IncomingHttpHeaders } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { errors } from "undici";
import { checkCrossSite } from "../csrf.js";
import { NoSessionError, TokenRejectedError } from "../errors/internal-errors.js";
import { appendSetCookie, fail, type RouterContext } from "../routes/context.js";
import type { SessionRef } from "../session/session-manager.js";
import { isStandIn } from "../session/stand-in.js";
import { bearerCredential } from "../token/read-bearer.js";
import type { SessionRecord } from "../stores/session-store.js";
import type { UpstreamClient } from "./client.js";
import { storePath } from "./store-path.js";

// RFC 9110 §7.6.1: meant for one connection only, never forwarded.
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
// Never sent on as the browser sent them: the BFF decides who the backend sees.
const REQUEST_DROPPED: ReadonlySet<string> = new Set([
  "host",
  "cookie",
  "authorization",
  "expect",
  "content-length",
]);
const UNAVAILABLE = { message: "The commerce backend is unavailable.", type: "unexpected_state" };
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Builds `router.storeApi()`: forwards `/store/*` to the backend as the signed-in customer
 * (the kept token as bearer), or as a guest without a session cookie. A cookie that names no
 * live session is refused (401, cleared), never downgraded to a guest: prices and carts
 * differ for customers. Each step is a line of `forward` below.
 */
export function createStoreApi(ctx: RouterContext, client: UpstreamClient) {
  const { sessions, options, report, logger } = ctx;
  const { publishableKey } = client.options;

  async function forward(req: Request, res: Response): Promise<void> {
    const path = storePath(req.originalUrl);
    if (path === undefined) {
      res.status(400).json({ message: "The request path is not allowed.", type: "invalid_data" });
      return;
    }

    const session = await customerSession(req, res);
    const token = session?.token;

    const headers = requestHeaders(req.headers, token, publishableKey);
    const body = requestBody(req, headers);
    // A browser that goes away aborts the backend call too. (undici takes an emitter of
    // "abort" as its signal: cheaper per request than an AbortController.)
    const signal = new EventEmitter();
    let gone = false;
    res.once("close", () => {
      // Closed unfinished and not by an error of the backend's answer: the browser went away.
      if (res.writableFinished || res.errored !== null) return;
      gone = true;
      signal.emit("abort");
    });

    // The answer goes straight into `res` (undici's stream(): no intermediate Readable),
    // except a backend 401 to the session's token, which is read and dropped.
    let refused = false;
    let started = false;
    try {
      await client.stream(
        { path, method: req.method as "GET", headers, body, signal },
        ({ statusCode, headers: answerHeaders }) => {
          if (token !== undefined && statusCode === 401) {
            refused = true;
            return discard();
          }
          res.statusCode = statusCode;
          copyResponseHeaders(answerHeaders, res);
          if (token !== undefined) {
            // Personal answers: never cached by a shared cache, nor shown to another cookie.
            res.setHeader("Cache-Control", "private, no-store");
            const vary = res.getHeader("Vary");
            res.setHeader("Vary", vary === undefined ? "Cookie" : `${String(vary)}, Cookie`);
          }
          // From here undici owns `res`; a failure before this line still gets an answer.
          started = true;
          return res;
        },
      );
    } catch (error) {
      if (gone) return;
      if (!started) return void unavailable(ctx, res, error, "forward");
      // Mid-body: the status is out and undici destroyed `res` with the backend's error (what
      // it rejects with is only "premature close"): the browser sees a cut-off answer.
      const cause = res.errored ?? error;
      report({ type: "upstream.error", operation: "forward", error: cause });
      logger.error({ err: cause }, "bff-session: the backend's answer broke off");
      return;
    }

    if (refused) {
      // The backend no longer takes the session's token: no zombie session that looks signed
      // in while every call fails.
      await sessions.destroy(session!.ref.id, undefined, "upstream_unauthorized");
      appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("the backend refused the session's token");
    }
  }

  /**
   * The session and its kept token for a cookie-authenticated request, or undefined for a guest
   * (no session cookie). Throws (answered by `fail`) for a cookie that names no live session
   * (401, cleared) and for a cross-site write (403).
   */
  async function customerSession(
    req: Request,
    res: Response,
  ): Promise<{ ref: SessionRef; token: string } | undefined> {
    const ref = sessions.fromRequest(req);
    if (ref === undefined && !sessions.cookie.isPresent(req.headers.cookie)) return undefined;
    let token: string | undefined;
    if (ref !== undefined) {
      const crossSite = checkCrossSite(req, options.csrf);
      if (crossSite !== undefined) throw crossSite;
      const record = await sessions.load(ref.id, true, true);
      if (record?.pending === true) return registering(req, ref, record);
      if (record !== undefined) token = await ctx.keptToken(ref, record);
    }
    if (token === undefined) {
      appendSetCookie(res, sessions.cookie.clear());
      throw new NoSessionError("the session cookie names no live session");
    }
    return { ref: ref!, token };
  }

  /**
   * A session whose token names no customer yet (after `…/register`) browses as a guest; the
   * one request that carries its stand-in as `Authorization` (the SDK's
   * `store.customer.create`) goes with the token the stand-in stands for, once.
   */
  async function registering(
    req: Request,
    ref: SessionRef,
    record: SessionRecord,
  ): Promise<{ ref: SessionRef; token: string } | undefined> {
    const bearer = bearerCredential(req.headers.authorization);
    if (bearer === undefined || !isStandIn(bearer)) return undefined;
    if (!(await sessions.useStandIn(record, bearer))) throw new TokenRejectedError("stand_in");
    const token = sessions.keptToken(record, ref);
    return token === undefined ? undefined : { ref, token };
  }

  return function storeApi(): RequestHandler {
    return function bffStoreApi(req: Request, res: Response, next: NextFunction): void {
      const url = req.originalUrl;
      if (!(url.startsWith("/store/") || url === "/store" || url.startsWith("/store?"))) {
        next();
        return;
      }
      forward(req, res).catch((error: unknown) => fail(ctx, res, error));
    };
  };
}

/**
 * Answers 502 (unreachable) or 504 (too slow) in the documented shape, with an event and a
 * log line saying which; never the error's internals.
 */
export function unavailable(
  ctx: RouterContext,
  res: Response,
  error: unknown,
  operation: "forward" | "sign-in",
): void {
  const code = (error as { code?: unknown } | null)?.code;
  const timedOut =
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    (typeof code === "string" && TIMEOUT_CODES.has(code));
  const status = timedOut ? 504 : 502;
  ctx.report({ type: "upstream.error", operation, status, error });
  ctx.logger.error(
    { err: error, status },
    timedOut
      ? "bff-session: the commerce backend did not answer in time"
      : "bff-session: the commerce backend could not be reached",
  );
  if (res.headersSent) return void res.destroy();
  res.status(status).json(UNAVAILABLE);
}

/** The browser's headers as the backend gets them: the BFF's credentials, nothing per-hop. */
export function requestHeaders(
  incoming: IncomingHttpHeaders,
  token: string | undefined,
  publishableKey: string | undefined,
): Record<string, string | string[]> {
  const named = connectionTokens(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || REQUEST_DROPPED.has(name) || named.has(name))
      continue;
    if (name === "x-publishable-api-key" && publishableKey !== undefined) continue;
    headers[name] = value;
  }
  if (incoming["content-length"] !== undefined)
    headers["content-length"] = incoming["content-length"];
  if (publishableKey !== undefined) headers["x-publishable-api-key"] = publishableKey;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return headers;
}

/**
 * The request body to send: the browser's stream as it arrives, or, when a body parser ran
 * before (express.json() and friends consume the stream), the parsed body written out again.
 */
function requestBody(
  req: Request,
  headers: Record<string, string | string[]>,
): Request | string | Buffer | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (!bodyParsed(req)) return req;
  delete headers["content-encoding"]; // body-parser inflated it
  const text = parsedBody(req);
  headers["content-length"] = String(Buffer.byteLength(text));
  return text;
}

/** Whether a body parser (express.json() and friends) consumed the request stream. */
export function bodyParsed(req: Request): boolean {
  return (req as { _body?: boolean })._body === true || req.readableEnded;
}

/** What a body parser parsed, written out again in the request's content type. */
export function parsedBody(req: Request): string | Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) || typeof body === "string") return body;
  if (body === undefined || body === null) return "";
  if (/^application\/x-www-form-urlencoded/i.test(String(req.headers["content-type"])))
    return new URLSearchParams(body as Record<string, string>).toString();
  return JSON.stringify(body);
}

export function copyResponseHeaders(headers: IncomingHttpHeaders, res: Response): void {
  const named = connectionTokens(headers.connection);
  for (const [name, value] of Object.entries(headers)) {
    // The backend's own cookie (Medusa's connect.sid) is for the backend, not this origin.
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === "set-cookie")
      continue;
    res.setHeader(name, value);
  }
}

/** Where a body nobody reads goes. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** Header names a `Connection` header lists: hop-by-hop as well (RFC 9110 §7.6.1). */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // The common values name only themselves, hop-by-hop already: no Set per request.
  if (value === undefined || value === "keep-alive" || value === "close") return EMPTY;
  const list = Array.isArray(value) ? value.join(",") : value;
  return new Set(list.split(",").map((t) => t.trim().toLowerCase()));
}
const EMPTY: ReadonlySet<string> = new Set();
