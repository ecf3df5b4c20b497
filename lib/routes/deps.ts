import type { Request, Response } from "express";
import type { LoadCustomer } from "../customers/load-customer.js";
import type { FailureDeps } from "../http/respond.js";
import { appendSetCookie } from "../http/respond.js";
import type { Logger } from "../logger.js";
import type { ResolvedOptions } from "../options/types.js";
import type { SessionRef, Sessions } from "../session/sessions.js";
import type { SessionRecord } from "../stores/session-store.js";
import type { TokenPolicy } from "../token/verify-token.js";
import type { CartHooks } from "../upstream/cart.js";

/**
 * The customer token a session keeps, as a request uses it. With `upstream` (and refresh on)
 * it is refreshed first when due, which may end the session: then undefined.
 */
export interface CustomerTokens {
  forUse(ref: SessionRef, record: SessionRecord): Promise<string | undefined> | string | undefined;
  /** As kept, never refreshed (a pending session's, or the refresh route's own). */
  asKept(ref: SessionRef, record: SessionRecord): string | undefined;
}

/** What the session routes and `authenticate()` are built from; fixed when the router is. */
export interface RouteDeps {
  sessions: Sessions;
  loadCustomer: LoadCustomer;
  customerTokens: CustomerTokens;
  policy: TokenPolicy;
  options: ResolvedOptions;
  failure: FailureDeps;
  logger: Logger;
  /** With `upstream`: the cart moves to the customer at sign-in, and is forgotten at sign-out. */
  cart?: CartHooks | undefined;
}

/**
 * Sets the cookie of a session just started. It lives as long as the session can (the
 * absolute timeout, or the kept token's exp when it caps the session), or only as long as the
 * browser runs: "remember me" is `?remember=true|false`, else `cookie.persistent`.
 */
export function setSessionCookie(
  deps: Pick<RouteDeps, "sessions" | "options">,
  req: Request,
  res: Response,
  started: { token: string; record: SessionRecord },
): void {
  const { absoluteExpiresAt, createdAt } = started.record;
  // Express 5 parses the query string on every read of req.query: read only when there is one.
  const remember = req.url.includes("?") ? req.query.remember : undefined;
  const persistent =
    remember === "true" ? true : remember === "false" ? false : deps.options.cookie.persistent;
  const maxAge = persistent ? (absoluteExpiresAt - createdAt) / 1000 : undefined;
  appendSetCookie(res, deps.sessions.cookie.serialize(started.token, maxAge));
}
