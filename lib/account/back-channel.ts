import type { Request, RequestHandler, Response } from "express";
import { BffSessionError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { handler } from "../http/handler.js";
import { sendJson, type FailureDeps } from "../http/respond.js";
import type { Logger } from "../logger.js";
import type { Sessions } from "../session/sessions.js";
import { readRequestBody } from "../upstream/request-body.js";
import {
  MIN_SECRET_LENGTH,
  SIGNATURE_HEADER,
  parseSignatureHeader,
  verifySignature,
} from "./signature.js";

/**
 * The options of `router.backChannel()`.
 *
 * @example
 * ```ts
 * app.post("/bff/back-channel", sessions.backChannel({ secret: process.env.BFF_BACK_CHANNEL_SECRET! }));
 * ```
 */
export interface BackChannelOptions {
  /**
   * The secret shared with the backend's side (`bff-session/medusa`), at least 32 characters.
   * A list during a rotation: any of them is accepted.
   */
  secret: string | readonly string[];
}

/**
 * Why a back-channel call was refused (in the log line; the caller gets a plain 401).
 *
 * @example
 * ```ts
 * const replayed: BackChannelRefusal = "replayed";
 * ```
 */
export type BackChannelRefusal = "unsigned" | "stale" | "signature" | "replayed";

/**
 * A back-channel call that is not signed, signed wrong, too old or seen before: 401. It is
 * logged (a warning with `reason`), never shown to the caller.
 *
 * @example
 * ```ts
 * if (err instanceof BackChannelRefusedError) alerts.bump("back_channel_refused", { reason: err.reason });
 * ```
 */
export class BackChannelRefusedError extends BffSessionError {
  constructor(readonly reason: BackChannelRefusal) {
    super("BFF_BACK_CHANNEL_REFUSED", `back-channel call refused: ${reason}`);
  }
}

/** How far a call's timestamp may be from the BFF's clock, either way (seconds). */
const MAX_SKEW = 60;
const LIMITS = { maxBodySize: 16 * 1024, clientBodyTimeout: 10_000 };

/** What the back-channel is built from. */
export interface BackChannelDeps {
  sessions: Sessions;
  failure: FailureDeps;
  logger: Logger;
  now: () => number;
}

/**
 * The back-channel: `POST` from the commerce backend's side, signed with a shared secret
 * (HMAC-SHA256 over method, path, timestamp and body), telling the BFF that an account changed
 * there. `{ "type": "customer.deleted", "customer_id": "cus_…" }` ends every session of that
 * customer (reason `customer_deleted`) and answers 200 `{ "ended": n }`.
 *
 * Refused with 401 `Unauthorized`, and never acted on: a call without a well-formed signature,
 * one whose timestamp is more than 60 s from the BFF's clock, one whose signature does not
 * match (compared in constant time), and one seen before (its signature is claimed once
 * through the session store's `consumeTokenId`, shared by every instance).
 */
export function backChannelHandler(
  deps: BackChannelDeps,
  options: BackChannelOptions,
): RequestHandler {
  const secrets = resolveSecrets(options);
  const { sessions, failure, logger, now } = deps;

  async function accept(req: Request, res: Response): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw new StoreApiError("not_allowed", "The back-channel takes POST only.");
    }
    const body = await readRequestBody(req, res, LIMITS);
    const bytes = body?.bytes ?? Buffer.alloc(0);
    const header = req.headers[SIGNATURE_HEADER];
    const signed = parseSignatureHeader(Array.isArray(header) ? undefined : header);
    if (signed === undefined) throw new BackChannelRefusedError("unsigned");
    if (Math.abs(now() / 1000 - signed.timestamp) > MAX_SKEW)
      throw new BackChannelRefusedError("stale");
    const path = (req.originalUrl ?? req.url).split("?", 1)[0]!;
    const parts = { method: req.method, path, timestamp: signed.timestamp, body: bytes };
    const signature = verifySignature(secrets, signed.signatures, parts);
    if (signature === undefined) throw new BackChannelRefusedError("signature");
    // Remembered for as long as the call would be fresh: after that, "stale" refuses it.
    const until = (signed.timestamp + MAX_SKEW + 1) * 1000;
    if (!(await sessions.claimOnce(`back-channel:${signature}`, until)))
      throw new BackChannelRefusedError("replayed");
    const customerId = deletedCustomer(bytes);
    const ended = await sessions.revokeCustomer(customerId, undefined, "customer_deleted");
    sendJson(res, 200, { ended });
  }

  const handle = handler(failure, "bffBackChannel", {}, async (req, res) => {
    try {
      await accept(req, res);
    } catch (error) {
      if (!(error instanceof BackChannelRefusedError)) throw error;
      // The caller learns nothing of why (OWASP: generic authentication failures); the log does.
      logger.warn({ err: error, reason: error.reason }, "bff-session: back-channel call refused");
      res.statusCode = 401;
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.end("Unauthorized");
    }
  });
  return handle;
}

/** The customer a `customer.deleted` message names; anything else is a 400. */
function deletedCustomer(bytes: Buffer): string {
  let message: unknown;
  try {
    message = JSON.parse(bytes.toString("utf8"));
  } catch {
    message = undefined;
  }
  const { type, customer_id: id } = (message ?? {}) as Record<string, unknown>;
  if (type !== "customer.deleted" || typeof id !== "string" || id === "" || id.length > 256)
    throw new StoreApiError(
      "invalid_data",
      'The back-channel understands { "type": "customer.deleted", "customer_id": "…" }.',
    );
  return id;
}

function resolveSecrets(options: BackChannelOptions): readonly string[] {
  const given: unknown = (options as Partial<BackChannelOptions> | undefined)?.secret;
  const list = Array.isArray(given) ? (given as unknown[]) : [given];
  if (
    list.length === 0 ||
    list.some((s) => typeof s !== "string" || s.length < MIN_SECRET_LENGTH)
  ) {
    throw new TypeError(
      `option "backChannel.secret": a string (or a list of strings) of at least ${MIN_SECRET_LENGTH} characters, the same as the backend side's`,
    );
  }
  return Object.freeze([...(list as string[])]);
}
