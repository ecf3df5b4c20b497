import type { Request } from "express";
import { RequestBodyError } from "../errors/errors.js";
import { jsonObject } from "./json-object.js";
import type { RequestBody } from "./request-body.js";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The fields of a sign-in body, read exactly as the backend will read them, so the attempt
 * limit counts the account the backend signs in. A body the BFF cannot read that way is
 * refused and never forwarded: a `Content-Encoding` (415), a byte-order mark, another charset
 * than UTF-8, bytes that are not UTF-8, JSON that is not an object, another content type, or
 * an account field given twice or not as a string (400). Otherwise an encoding the backend's
 * parser accepts but ours did not read (a BOM, UTF-16) would sign in without being counted.
 */
export function signInFields(req: Request, body: RequestBody | undefined): Record<string, unknown> {
  if (body === undefined) return {};
  // What a body parser before us decoded is what it read: plain UTF-8 now.
  const parsed = body.decoded;
  const encoding = req.headers["content-encoding"];
  if (!parsed && encoding !== undefined && encoding.trim().toLowerCase() !== "identity")
    throw new RequestBodyError("BFF_BODY_ENCODED", "A sign-in body must not be compressed.");
  const type = req.headers["content-type"] ?? "";
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  if (!parsed && charset !== undefined && charset !== "utf-8" && charset !== "utf8")
    throw unreadable();
  let text: string;
  try {
    text = utf8.decode(body.bytes);
  } catch {
    throw unreadable();
  }
  // A BOM of any kind: UTF-8's decodes to U+FEFF; UTF-16's are not valid UTF-8 at all.
  if (text.charCodeAt(0) === 0xfeff) throw unreadable();
  const fields = JSON_TYPE.test(type)
    ? jsonObject(text)
    : FORM_TYPE.test(type)
      ? formFields(text)
      : undefined;
  if (fields === undefined) throw unreadable();
  for (const name of ACCOUNT_FIELDS) {
    const value = fields[name];
    if (value !== undefined && typeof value !== "string") throw unreadable();
  }
  return fields;
}

/** The fields that name the account a password sign-in is for. */
const ACCOUNT_FIELDS = ["email", "username"] as const;

/** The account a password sign-in is for: the body's `email` or `username`. */
export function accountOf(fields: Record<string, unknown>): string | undefined {
  const id = fields.email ?? fields.username;
  return typeof id === "string" && id.length > 0 ? id.slice(0, 512) : undefined;
}

/**
 * A form's fields. The backend's form parser (`qs`, extended) reads `[email]=…` or
 * `email[0]=…` as `email`, where a plain reading sees another name: a key with brackets is
 * refused, as is an account field given twice (which one would the backend take?).
 */
function formFields(text: string): Record<string, unknown> {
  const params = new URLSearchParams(text);
  for (const name of params.keys()) if (/[[\]]/.test(name)) throw unreadable();
  for (const name of ACCOUNT_FIELDS) if (params.getAll(name).length > 1) throw unreadable();
  return Object.fromEntries(params);
}

function unreadable(): RequestBodyError {
  return new RequestBodyError(
    "BFF_BODY_UNREADABLE",
    "A sign-in body must be UTF-8 JSON (or a form) without a byte-order mark.",
  );
}
