import type { Response } from "express";
import { UpstreamError } from "../errors/errors.js";
import type { BufferedAnswer } from "./client.js";
import { jsonObject } from "./json-object.js";

// A JWT's header always starts `{"` — "eyJ" in base64url — and two dots follow.
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\./;
// A run long enough to carry a token's header, base64-encoded, inside any string.
const BASE64_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;
// The same in hex: two digits a byte.
const HEX_RUN = /(?:[0-9a-fA-F]{2}){30,}/g;
// "Created", "Unauthorized": short printable ASCII, too short to hold a token.
const PLAIN_TEXT = /^[\x20-\x7e]{0,64}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
// The backend's answer headers that reach the browser from a sign-in route: a token could sit
// in any other (Location, Authorization, WWW-Authenticate, one of the backend's own).
const KEPT_HEADERS = ["retry-after", "content-language"] as const;

/** A backend answer on a sign-in route, read and judged before anything of it is sent. */
export interface TokenAnswer {
  status: number;
  headers: BufferedAnswer["headers"];
  /** The answer's JSON object, or undefined for one that is not JSON. */
  json: Record<string, unknown> | undefined;
  /** A short plain-text answer ("Created"), passed as it is. */
  text: string | undefined;
}

/**
 * Reads a sign-in route's answer whatever its headers claim. The BFF asks for an
 * identity-encoded answer, so one with a `Content-Encoding` is refused; so is a success that is
 * not a JSON object on a route that issues tokens, an answer that is neither JSON nor a short
 * plain text, and JSON holding something token-shaped (also percent-, base64- or hex-encoded)
 * anywhere but its top-level `token`. A token never reaches the browser because its answer was
 * compressed, oddly typed, prefixed with a BOM or re-encoded: 502 instead.
 */
export function readTokenAnswer(
  answer: BufferedAnswer,
  { issuesTokens = true }: { issuesTokens?: boolean } = {},
): TokenAnswer {
  const encoding = answer.headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    throw badAnswer(`a ${String(encoding)}-encoded answer`);
  }
  const { status, headers } = answer;
  const json = answerObject(answer.body);
  if (json !== undefined) {
    // Every string but the top-level token, one by one and joined (a token split over fields).
    const strings: string[] = [];
    for (const [name, value] of Object.entries(json)) {
      if (name !== "token" && collectStrings(value, strings, 0))
        throw badAnswer("an answer nested deeper than any the backend sends");
    }
    if (strings.some(holdsToken) || holdsToken(strings.join("")))
      throw badAnswer("a token outside the answer's token field");
    return { status, headers, json, text: undefined };
  }
  const ok = status >= 200 && status < 300;
  const text = answer.body.toString("latin1");
  if ((ok && issuesTokens) || !PLAIN_TEXT.test(text)) {
    throw badAnswer(`an answer that is neither a JSON object nor short plain text (${status})`);
  }
  return { status, headers, json: undefined, text };
}

/**
 * Sends a judged answer: its status, a few harmless headers, and its JSON with the `token`
 * replaced by what `keep` gives (on a success) or removed. `keep` runs only for an answer that
 * passed: a refused answer starts no session.
 */
export async function sendTokenAnswer(
  res: Response,
  answer: TokenAnswer,
  keep?: (token: string) => Promise<string>,
): Promise<void> {
  let body: string;
  if (answer.json === undefined) {
    res.setHeader("Content-Type", "text/plain; charset=utf-8");
    body = answer.text ?? "";
  } else {
    const { token, ...rest } = answer.json;
    const ok = answer.status >= 200 && answer.status < 300;
    const kept = ok && keep !== undefined && typeof token === "string";
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    body = JSON.stringify(kept ? { ...rest, token: await keep(token) } : rest);
  }
  for (const name of KEPT_HEADERS) {
    const value = answer.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  res.statusCode = answer.status;
  res.end(body);
}

/** Whether a token-shaped string sits in `text`, plain or percent-, base64- or hex-encoded. */
function holdsToken(text: string): boolean {
  if (JWT_LIKE.test(text)) return true;
  if (text.includes("%")) {
    try {
      if (JWT_LIKE.test(decodeURIComponent(text))) return true;
    } catch {
      // Not percent-encoded after all.
    }
  }
  for (const run of text.match(BASE64_RUN) ?? []) {
    if (JWT_LIKE.test(Buffer.from(run, "base64").toString("latin1"))) return true;
  }
  for (const run of text.match(HEX_RUN) ?? []) {
    if (JWT_LIKE.test(Buffer.from(run, "hex").toString("latin1"))) return true;
  }
  return false;
}

/** Gathers the strings of `value`; true when it is deeper than any answer the backend sends. */
function collectStrings(value: unknown, into: string[], depth: number): boolean {
  if (typeof value === "string") into.push(value);
  if (typeof value !== "object" || value === null) return false;
  if (depth > 32) return true;
  for (const item of Object.values(value)) if (collectStrings(item, into, depth + 1)) return true;
  return false;
}

/** The body as a JSON object: UTF-8, a leading BOM skipped (it is written out again without). */
function answerObject(body: Buffer): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return undefined;
  }
  return jsonObject(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

function badAnswer(what: string): UpstreamError {
  return new UpstreamError(
    "BFF_UPSTREAM_BAD_ANSWER",
    `the backend sent ${what} on a sign-in route`,
  );
}
