import { UpstreamError } from "../errors/errors.js";
import type { BufferedAnswer } from "./client.js";

// A JWT's header always starts `{"` — "eyJ" in base64url — and two dots follow.
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\./;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A backend answer on a route that can carry a token, read and judged. */
export interface TokenAnswer {
  status: number;
  headers: BufferedAnswer["headers"];
  /** The answer's JSON object, or undefined for a body that is not one (and holds no token). */
  json: Record<string, unknown> | undefined;
  /** The raw body, for an answer that is not JSON (a plain-text 401 passes as it is). */
  raw: Buffer;
}

/**
 * Reads an answer that can carry a token (sign-in, refresh), whatever its headers claim: the
 * BFF asks for an identity-encoded answer, so one with a `Content-Encoding` cannot be read and
 * is refused, as is a success that is not a JSON object (on a route that issues tokens), and
 * any answer whose text holds something shaped like a JWT outside what `swapToken` handles. A token never reaches the browser
 * because its answer was compressed, oddly typed or prefixed with a BOM: 502 instead.
 */
export function readTokenAnswer(
  answer: BufferedAnswer,
  { issuesTokens = true }: { issuesTokens?: boolean } = {},
): TokenAnswer {
  const encoding = answer.headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    throw badAnswer(`a ${String(encoding)}-encoded answer`);
  }
  const json = jsonObject(answer.body);
  // A success of a route that issues tokens must be readable; any answer must hold no token
  // where the BFF cannot see it.
  const ok = answer.status >= 200 && answer.status < 300;
  if (
    json === undefined &&
    ((ok && issuesTokens) || JWT_LIKE.test(answer.body.toString("latin1")))
  ) {
    throw badAnswer(`an answer that is not a JSON object (status ${answer.status})`);
  }
  return { status: answer.status, headers: answer.headers, json, raw: answer.body };
}

/**
 * The answer's JSON with its `token` replaced by what `keep` gives (on a success) or removed,
 * written out again; refused when a token-shaped value remains anywhere in it.
 */
export async function swapToken(
  answer: TokenAnswer,
  keep: ((token: string) => Promise<string>) | undefined,
): Promise<Buffer> {
  const json = answer.json;
  if (json === undefined) return answer.raw;
  const { token, ...rest } = json;
  // Judged before anything is kept: a refused answer starts no session.
  if (JWT_LIKE.test(JSON.stringify(rest)))
    throw badAnswer("a token outside the answer's token field");
  const ok = answer.status >= 200 && answer.status < 300;
  if (ok && keep !== undefined && typeof token === "string") {
    return Buffer.from(JSON.stringify({ ...rest, token: await keep(token) }));
  }
  return Buffer.from(JSON.stringify(rest));
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return undefined;
  }
  // A BOM-prefixed answer is read as the JSON it carries (and written out again without it).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function badAnswer(what: string): UpstreamError {
  return new UpstreamError("BFF_UPSTREAM_BAD_ANSWER", `the backend sent ${what} on a token route`);
}
