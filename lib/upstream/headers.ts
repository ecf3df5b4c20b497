import type { IncomingHttpHeaders } from "node:http";
import type { Request, Response } from "express";
import type { RequestBody } from "./request-body.js";

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

// Never sent on as the browser sent them: the BFF decides who the backend sees, and where the
// backend believes the client is. A client-IP header of any proxy or CDN (X-Forwarded-*,
// Forwarded, X-Real-IP, True-Client-IP, …) would let a browser choose the IP the backend logs,
// limits and trusts; a URL or method override would let it choose another route than the one
// the BFF checked.
const REQUEST_DROPPED: ReadonlySet<string> = new Set([
  "host",
  "cookie",
  "authorization",
  "expect",
  "content-length",
  "x-publishable-api-key",
  "forwarded",
  "x-real-ip",
  "x-client-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "fastly-client-ip",
  "x-cluster-client-ip",
  "x-proxyuser-ip",
  "x-original-url",
  "x-rewrite-url",
  "x-http-method-override",
  "x-http-method",
  "x-method-override",
]);

/**
 * Adds the headers a tracing subscriber put on its message (trace context) to an outgoing
 * request. A name the request has already is left as the BFF set it: a subscriber adds, it
 * never replaces a credential.
 */
export function addTraceHeaders(
  headers: Record<string, string | string[]>,
  added: Record<string, string | string[]>,
): void {
  for (const name in added) {
    const lower = name.toLowerCase();
    if (!(lower in headers)) headers[lower] = added[name]!;
  }
}

/** What the BFF sends as itself with a forwarded request. */
export interface Credentials {
  /** The customer's token, as `Authorization: Bearer`. */
  token?: string | undefined;
  /** `upstream.publishableKey`; without it the browser's own key passes. */
  publishableKey?: string | undefined;
  /** Ask for an identity-encoded answer: one the BFF must read (a token may be in it). */
  identity?: boolean;
}

/** The browser's headers as the backend gets them: the BFF's credentials, nothing per-hop. */
export function requestHeaders(
  req: Request,
  body: RequestBody | undefined,
  credentials: Credentials,
): Record<string, string | string[]> {
  const incoming = req.headers;
  // The BFF's own headers first: a request padded with headers cannot push them past a
  // backend's header count limit.
  const headers: Record<string, string | string[]> = {};
  // Without the option, the browser's own publishable key passes.
  const key = incoming["x-publishable-api-key"];
  if (key !== undefined) headers["x-publishable-api-key"] = key;
  applyCredentials(headers, credentials);
  // The client as this app sees it, through its own `trust proxy`.
  if (req.ip !== undefined) headers["x-forwarded-for"] = req.ip;
  if (body !== undefined) headers["content-length"] = String(body.bytes.length);
  const named = connectionTokens(incoming.connection);
  for (const name in incoming) {
    const value = incoming[name];
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      REQUEST_DROPPED.has(name) ||
      named.has(name) ||
      name.startsWith("x-forwarded-") ||
      headers[name] !== undefined
    )
      continue;
    headers[name] = value;
  }
  if (body?.decoded === true) {
    // A body parser decoded the body (inflated, from another charset): it goes on as written
    // out again, plain, in the content type's own default charset.
    delete headers["content-encoding"];
    const type = incoming["content-type"];
    if (type !== undefined) headers["content-type"] = type.split(";")[0]!.trim();
  }
  return headers;
}

/** The headers of a call the BFF makes as itself (a refresh, a customer read). */
export function ownHeaders(credentials: Credentials): Record<string, string> {
  const headers: Record<string, string> = { accept: "application/json" };
  applyCredentials(headers, credentials);
  return headers;
}

function applyCredentials(
  headers: Record<string, string | string[]>,
  credentials: Credentials,
): void {
  if (credentials.publishableKey !== undefined)
    headers["x-publishable-api-key"] = credentials.publishableKey;
  if (credentials.token !== undefined) headers.authorization = `Bearer ${credentials.token}`;
  if (credentials.identity === true) headers["accept-encoding"] = "identity";
}

/**
 * The backend's answer headers onto `res`: nothing per-hop, never the backend's cookies (they
 * are for the backend, not this origin) nor its CORS headers (CORS is the app's: its `cors()`
 * ran before). `Vary` is merged with the app's, plus `Cookie`: the same URL answers a guest
 * and a signed-in customer differently, so no shared cache may serve one to the other.
 */
export function copyAnswerHeaders(headers: IncomingHttpHeaders, res: Response): void {
  const named = connectionTokens(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      named.has(name) ||
      name === "set-cookie" ||
      name === "vary" ||
      name.startsWith("access-control-")
    )
      continue;
    res.setHeader(name, value);
  }
  res.setHeader("Vary", mergeVary(res.getHeader("Vary"), headers.vary, "Cookie"));
}

/** The union of `Vary` field names, case-insensitively, in order; `*` absorbs the rest. */
export function mergeVary(...values: Array<string | number | string[] | undefined>): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined) continue;
    for (const part of String(value).split(",")) {
      const name = part.trim();
      if (name === "") continue;
      if (name === "*") return "*";
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(name);
    }
  }
  return names.join(", ");
}

/** Header names a `Connection` header lists: hop-by-hop as well (RFC 9110 §7.6.1). */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // The common values name only themselves, hop-by-hop already: no Set per request.
  if (value === undefined || value === "keep-alive" || value === "close") return EMPTY;
  const list = Array.isArray(value) ? value.join(",") : value;
  return new Set(list.split(",").map((t) => t.trim().toLowerCase()));
}
const EMPTY: ReadonlySet<string> = new Set();
