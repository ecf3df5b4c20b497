import type { Response } from "express";
import type { ErrorResponse } from "./render-error.js";

/** Writes an {@link ErrorResponse}. 401s are a bare text/plain `Unauthorized`, as documented. */
export function sendError(res: Response, response: ErrorResponse, wwwAuthenticate = false): void {
  res.status(response.status);
  if (response.headers) res.set(response.headers);
  if (response.body === "Unauthorized") {
    // RFC 6750 §3: a 401 for a bearer-protected resource names the scheme.
    if (wwwAuthenticate) res.set("WWW-Authenticate", "Bearer");
    res.type("text/plain").send("Unauthorized");
    return;
  }
  res.json(response.body);
}
