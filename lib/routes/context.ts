import type { Request, Response } from "express";
import type { CustomerLookupContext } from "../customers/customer-store.js";
import { storeCustomerSchema, type StoreCustomer } from "../customers/store-customer.js";
import {
  CrossSiteRequestError,
  SessionStoreError,
  TokenRejectedError,
} from "../errors/internal-errors.js";
import { renderError } from "../errors/render-error.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { sendError } from "../errors/send-error.js";
import type { Logger, SessionEvent } from "../events.js";
import type { RouterOptions as ResolvedOptions } from "../options/types.js";
import type { SessionManager, SessionRef } from "../session/session-manager.js";
import type { SessionRecord } from "../stores/session-store.js";
import type { TokenPolicy } from "../token/verify-token.js";

/** What every route handler shares; built once by createSessionRouter. */
export interface RouterContext {
  options: ResolvedOptions;
  sessions: SessionManager;
  policy: TokenPolicy;
  report: (event: SessionEvent) => void;
  logger: Logger;
  /**
   * The session's kept token, refreshed first when due (`upstream`); undefined without one,
   * or when the refresh ended the session.
   */
  keptToken(
    ref: SessionRef,
    record: SessionRecord,
  ): Promise<string | undefined> | string | undefined;
}

/** Loads the customer through the CustomerStore and parses it into the documented shape. */
export async function loadCustomer(
  ctx: RouterContext,
  customerId: string,
  lookup: CustomerLookupContext,
): Promise<StoreCustomer | undefined> {
  let found;
  try {
    // Called as a method, so stores that are class instances keep their `this`.
    found = await ctx.options.customers.retrieve(customerId, lookup);
  } catch (error) {
    // A failure on the server's side (the backend is down, a misconfigured key) is an event
    // too; what the store chose to tell the client (4xx) is not.
    if (renderError(error).status >= 500) ctx.report({ type: "customer.error", error });
    throw error;
  }
  if (found === null || found === undefined) return undefined;
  const parsed = storeCustomerSchema.safeParse(found);
  if (!parsed.success) {
    // The store returned something that is not a customer: a bug in the app, not the client.
    ctx.logger.error(
      { issues: parsed.error.issues.map((i) => i.path.join(".")) },
      "bff-session: customer store returned an invalid customer",
    );
    throw new StoreApiError("unexpected_state", "The customer could not be read.");
  }
  return parsed.data;
}

/**
 * Answers a failed request in the documented shape, reporting what the client is not told.
 * Never throws, so no handler leaves a rejected promise behind (Express 4 would miss it).
 */
export function fail(
  ctx: RouterContext,
  res: Response,
  error: unknown,
  wwwAuthenticate = false,
): void {
  const response = renderError(error);
  if (error instanceof TokenRejectedError) {
    ctx.report({ type: "token.rejected", reason: error.reason });
  } else if (error instanceof CrossSiteRequestError) {
    ctx.report({ type: "csrf.rejected", method: res.req.method, detail: error.detail });
  } else if (response.status >= 500 && !(error instanceof SessionStoreError)) {
    // Every server error is logged once, with its cause; a store failure already was, as
    // `store.error`. What the client did wrong (4xx) is its answer, not a log line.
    ctx.logger.error({ err: error }, "bff-session: request failed");
  }
  if (res.headersSent) return;
  // RFC 6750 §3: a refused token is `invalid_token`; a request without one gets the bare
  // challenge (no error code), so a storefront can tell "sign in again" from "send a token".
  const challenge = !wwwAuthenticate
    ? undefined
    : error instanceof TokenRejectedError && error.reason !== "missing"
      ? 'Bearer error="invalid_token"'
      : "Bearer";
  sendError(res, response, challenge);
}

/**
 * Sets the cookie of a session just created. It lives as long as the session can (the
 * absolute timeout, or the kept token's exp when it caps the session), or only as long as the
 * browser runs: "remember me" is `?remember=true|false`, else `cookie.persistent`.
 */
export function setSessionCookie(
  ctx: RouterContext,
  req: Request,
  res: Response,
  created: { token: string; record: SessionRecord },
): void {
  const { absoluteExpiresAt, createdAt } = created.record;
  // Express 5 parses the query string on every read of req.query: read only when there is one.
  const remember = req.url.includes("?") ? req.query.remember : undefined;
  const persistent =
    remember === "true" ? true : remember === "false" ? false : ctx.options.cookie.persistent;
  const maxAge = persistent ? (absoluteExpiresAt - createdAt) / 1000 : undefined;
  appendSetCookie(res, ctx.sessions.cookie.serialize(created.token, maxAge));
}

/**
 * Adds a `Set-Cookie` line and keeps those set before, as `res.append` does, without Express's
 * generic header handling (a measurable share of a login's CPU).
 */
export function appendSetCookie(res: Response, line: string): void {
  const before = res.getHeader("Set-Cookie");
  res.setHeader(
    "Set-Cookie",
    before === undefined
      ? line
      : Array.isArray(before)
        ? [...before, line]
        : [String(before), line],
  );
}

/**
 * Sends a JSON answer of the session routes. Written out directly, not through `res.json()`:
 * these answers are `no-store` and personal, so Express's ETag (a SHA-1 of every body) and
 * freshness check buy nothing, and they were a measurable share of a login's CPU. Node sets
 * `Content-Length`, and sends no body for HEAD.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(text);
}
