import type { Request } from "express";
import { TokenRejectedError } from "../errors/errors.js";

// RFC 6750 §2.1: "Bearer" (case-insensitive, RFC 7235 §2.1) then one b64token. Anything else —
// another scheme, two tokens, a trailing comma — is not a bearer credential.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The token from `Authorization: Bearer <jwt>`, and from nowhere else: never the query
 * string (it leaks into logs and Referer), the body or a cookie.
 */
export function readBearerToken(req: Request): string {
  // Node keeps only the first of repeated Authorization headers; two of them is an attack or
  // a broken proxy, never a client to guess for.
  if (repeated(req.rawHeaders, "authorization")) throw new TokenRejectedError("malformed");
  const header = req.headers.authorization;
  if (header === undefined || header === "") throw new TokenRejectedError("missing");
  const token = bearerCredential(header);
  if (token === undefined) throw new TokenRejectedError("malformed");
  return token;
}

/** The token of an `Authorization` value that is a bearer credential, or undefined. */
export function bearerCredential(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}

/**
 * Whether the request carries the header `name` (lowercase) more than once. Read from
 * `rawHeaders` (a dozen names): `headersDistinct` would build an array for every header of
 * every login.
 */
function repeated(raw: string[], name: string): boolean {
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name && ++seen > 1) return true;
  }
  return false;
}
