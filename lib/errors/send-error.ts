import type { Response } from "express";
import type { ErrorResponse } from "./render-error.js";

/**
 * Writes an {@link ErrorResponse}. 401s are a bare text/plain `Unauthorized`, as documented;
 * `wwwAuthenticate` is the challenge to send with them (routes that take a bearer token).
 */
export function sendError(
  res: Response,
  response: ErrorResponse,
  wwwAuthenticate: string | undefined = undefined,
): void {
  res.status(response.status);
  if (response.headers) res.set(response.headers);
  if (response.body === "Unauthorized") {
    // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
    if (wwwAuthenticate !== undefined) res.set("WWW-Authenticate", wwwAuthenticate);
    res.type("text/plain").send("Unauthorized");
    return;
  }
  res.json(response.body);
}
