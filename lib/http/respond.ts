import type { Response } from "express";
import {
  CrossSiteRequestError,
  NoSessionError,
  SessionStoreError,
  TokenRejectedError,
  UpstreamError,
} from "../errors/errors.js";
import { renderError } from "../errors/render-error.js";
import type { ErrorResponse } from "../errors/render-error.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";

/** What answering a failed request needs: where to report, and the cookie's clearing line. */
export interface FailureDeps {
  report: (event: SessionEvent) => void;
  logger: Logger;
  /** The `Set-Cookie` value that drops the session cookie. */
  clearCookie: string;
}

/** How a route that failed answers. */
export interface FailureContext {
  challenge?: boolean | undefined;
  operation?: "forward" | "sign-in" | undefined;
}

/**
 * Answers a failed request in the documented shape, reporting what the client is not told.
 * The one place where an error becomes a response of the package's own routes. Never throws,
 * so no handler leaves a rejected promise behind (Express 4 would miss it).
 *
 * `challenge`: the route takes a bearer token, so a 401 names the scheme (RFC 6750 §3).
 * `operation`: what a failed backend call is reported as.
 */
export function fail(
  deps: FailureDeps,
  res: Response,
  error: unknown,
  { challenge = false, operation = "forward" }: FailureContext = {},
): void {
  // The browser went away (and the exchange for it was aborted): nobody to answer, nothing
  // that went wrong on the server's side.
  if (res.destroyed && !res.headersSent) return;
  const response = renderError(error);
  if (error instanceof TokenRejectedError) {
    deps.report({ type: "token.rejected", reason: error.reason });
  } else if (error instanceof CrossSiteRequestError) {
    deps.report({ type: "csrf.rejected", method: res.req.method, detail: error.detail });
  } else if (error instanceof UpstreamError) {
    deps.report({ type: "upstream.error", operation, status: response.status, error });
    deps.logger.error({ err: error, status: response.status }, `bff-session: ${error.message}`);
  } else if (response.status >= 500 && !(error instanceof SessionStoreError)) {
    // Every server error is logged once, with its cause; a store failure already was, as
    // `store.error`. What the client did wrong (4xx) is its answer, not a log line.
    deps.logger.error({ err: error }, "bff-session: request failed");
  }
  if (res.headersSent) {
    // Mid-answer: the status is out, so the only honest signal left is a cut-off answer.
    if (!res.writableEnded) res.destroy();
    return;
  }
  if (error instanceof NoSessionError && error.clearCookie) appendSetCookie(res, deps.clearCookie);
  // RFC 6750 §3: a refused token is `invalid_token`; a request without one gets the bare
  // challenge (no error code), so a storefront can tell "sign in again" from "send a token".
  const wwwAuthenticate = !challenge
    ? undefined
    : error instanceof TokenRejectedError && error.reason !== "missing"
      ? 'Bearer error="invalid_token"'
      : "Bearer";
  sendError(res, response, wwwAuthenticate);
}

/**
 * Writes an {@link ErrorResponse}: 401s as a bare text/plain `Unauthorized`, as documented,
 * with `wwwAuthenticate` as the challenge where the route takes a bearer token.
 */
export function sendError(
  res: Response,
  response: ErrorResponse,
  wwwAuthenticate: string | undefined = undefined,
): void {
  res.statusCode = response.status;
  if (response.headers !== undefined) {
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  }
  if (response.body === "Unauthorized") {
    if (wwwAuthenticate !== undefined) res.setHeader("WWW-Authenticate", wwwAuthenticate);
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    res.end("Unauthorized");
    return;
  }
  sendJson(res, response.status, response.body);
}

/**
 * Sends a JSON answer. Written out directly, not through `res.json()`: these answers are
 * personal, so Express's ETag (a SHA-1 of every body) and freshness check buy nothing. Node
 * sets `Content-Length`, and sends no body for HEAD.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/** Adds a `Set-Cookie` line and keeps those set before, as `res.append` does. */
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
