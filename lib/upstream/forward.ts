import type { Request, RequestHandler, Response } from "express";
import { NoSessionError, TokenRejectedError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { refuseCrossSite } from "../http/csrf.js";
import { handler } from "../http/handler.js";
import type { RouteDeps } from "../routes/deps.js";
import { bearerCredential } from "../token/read-bearer.js";
import type { ActingSession } from "./acting-session.js";
import type { Carts } from "./cart.js";
import { cartPath } from "./cart-path.js";
import type { UpstreamClient } from "./client.js";
import { copyAnswerHeaders, requestHeaders } from "./headers.js";
import { upstreamPath } from "./paths.js";
import { readRequestBody } from "./request-body.js";
import { isStandIn, redeemStandIn } from "./stand-in.js";

/** What `storeApi()` is built from. */
export interface ForwardDeps {
  route: RouteDeps;
  client: UpstreamClient;
  /** The cart rules, for paths under `/store/carts`. */
  carts: Carts;
}

/**
 * Builds `router.storeApi()`: forwards `/store/*` (below wherever it is mounted) to the
 * backend as the signed-in customer (the kept token as bearer), or as a guest without a
 * session cookie. A cookie that names no live session is refused (401, cleared), never
 * downgraded to a guest: prices and carts differ for customers. Each step of `forward` is one
 * line: path → session → body → backend → answer.
 */
export function createStoreApi({ route, client, carts }: ForwardDeps): () => RequestHandler {
  const { sessions, options, customerTokens, failure } = route;
  const { publishableKey, sendTimeout } = client.options;

  async function forward(req: Request, res: Response): Promise<void> {
    const asked = upstreamPath(req.url, "/store");
    if (asked === undefined)
      throw new StoreApiError("invalid_data", "The request path is not allowed.");
    const session = await storeSession(req);
    // The cart rules (`current`, the guard) for `/store/carts…` only: nothing for other paths.
    const target = cartPath(asked);
    const cart = target === undefined ? undefined : await carts.judge(req, res, target, session);
    const path = cart?.path ?? asked;
    const body = await readRequestBody(req, res, client.options);
    const token = session?.token;
    const headers = requestHeaders(req, body, { token, publishableKey });
    const answer = await client.forward({
      method: req.method,
      path,
      headers,
      body: body?.bytes,
      client: res,
    });

    if (session !== undefined && answer.status === 401) {
      // The backend no longer takes the session's token: no zombie session that looks signed
      // in while every call fails.
      answer.cancel();
      await sessions.end(session.ref.id, session.record.customerId, "upstream_unauthorized");
      throw new NoSessionError("the backend refused the session's token", { clearCookie: true });
    }
    res.statusCode = answer.status;
    copyAnswerHeaders(answer.headers, res);
    // Personal answers: never cached by a shared cache, nor shown to another cookie. A cart is
    // a guest's own too (`current` answers every browser differently at one URL).
    if (session !== undefined || cart !== undefined)
      res.setHeader("Cache-Control", "private, no-store");
    if (cart !== undefined && answer.complete)
      await carts.answered(res, cart, answer.status, answer.body());
    if (answer.complete) sendWhole(res, answer.chunks(), sendTimeout);
    else await answer.pipe(res, sendTimeout);
  }

  /**
   * The session and its customer token for a cookie-authenticated request, or undefined for
   * a guest (no session cookie). A cookie that names no live session: 401, cleared.
   */
  async function storeSession(req: Request): Promise<ActingSession | undefined> {
    const ref = sessions.fromRequest(req);
    const clearCookie = { clearCookie: true };
    if (ref === undefined) {
      if (sessions.cookie.isPresent(req.headers.cookie))
        throw new NoSessionError("the session cookie names no live session", clearCookie);
      return undefined;
    }
    refuseCrossSite(req, options.csrf);
    const record = await sessions.load(ref.id, { pending: true });
    if (record === undefined)
      throw new NoSessionError("the session cookie names no live session", clearCookie);
    if (record.pending === true) {
      // A session whose token names no customer yet (after `…/register`) browses as a guest;
      // the one request that carries its stand-in as `Authorization` (the SDK's
      // `store.customer.create`) goes with the token the stand-in stands for, once.
      const bearer = bearerCredential(req.headers.authorization);
      if (!isCustomerCreation(req) || bearer === undefined || !isStandIn(bearer)) return undefined;
      if (!(await redeemStandIn(sessions, record, bearer, options.now())))
        throw new TokenRejectedError("stand_in");
      const token = customerTokens.asKept(ref, record);
      return token === undefined ? undefined : { ref, record, token };
    }
    const token = await customerTokens.forUse(ref, record);
    if (token === undefined)
      throw new NoSessionError("the session cookie names no live session", clearCookie);
    return { ref, record, token };
  }

  const forwarding = handler(failure, "bffStoreApi", { noStore: false }, async (req, res, next) => {
    const url = req.url;
    if (!(url.startsWith("/store/") || url === "/store" || url.startsWith("/store?"))) {
      next();
      return;
    }
    await forward(req, res);
  });
  return function storeApi(): RequestHandler {
    return forwarding;
  };
}

/**
 * Sends a whole answer. A client that does not read it holds only its own socket and this
 * memory, and not for longer than `sendTimeout`: the backend connection is free already.
 */
function sendWhole(res: Response, chunks: readonly Buffer[], sendTimeout: number): void {
  // Written as received: no copy into one buffer.
  const last = chunks.length - 1;
  for (let i = 0; i < last; i++) res.write(chunks[i]);
  res.end(chunks[last]);
  if (!res.writableNeedDrain) return;
  const timer = setTimeout(() => res.destroy(), sendTimeout);
  res.once("close", () => clearTimeout(timer));
}

/** `POST /store/customers`: the one request a registration's stand-in is swapped on. */
function isCustomerCreation(req: Request): boolean {
  if (req.method !== "POST") return false;
  const q = req.url.indexOf("?");
  return (q === -1 ? req.url : req.url.slice(0, q)) === "/store/customers";
}
