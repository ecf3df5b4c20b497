import { MIN_SECRET_LENGTH, SIGNATURE_HEADER, signatureHeader } from "../account/signature.js";

/**
 * Where the BFF's back-channel is and how to call it.
 *
 * @example
 * ```ts
 * const bff: BackChannelClientOptions = {
 *   url: process.env.BFF_BACK_CHANNEL_URL!, // "http://bff.internal:3000/bff/back-channel"
 *   secret: process.env.BFF_BACK_CHANNEL_SECRET!,
 * };
 * ```
 */
export interface BackChannelClientOptions {
  /** The URL the BFF mounted `router.backChannel()` at; reachable from the backend. */
  url: string | URL;
  /** The secret given to `router.backChannel({ secret })`, at least 32 characters. */
  secret: string;
  /** Milliseconds one attempt may take. Default 1500. */
  timeout?: number;
  /** Attempts when the BFF cannot be reached or answers 5xx. Default 3 (within ~5 s in all). */
  attempts?: number;
  /** The fetch to call with (tests). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The clock, in ms since the epoch (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * What the back-channel understands.
 *
 * @example
 * ```ts
 * const message: BackChannelMessage = { type: "customer.deleted", customer_id: "cus_123" };
 * ```
 */
export interface BackChannelMessage {
  type: "customer.deleted";
  customer_id: string;
}

/**
 * The BFF refused a back-channel call or could not be reached; `status` is its answer's (0
 * when there was none).
 *
 * @example
 * ```ts
 * try { await notifyBff(bff, message); } catch (e) { if (e instanceof BackChannelError && e.status === 401) alertWrongSecret(); }
 * ```
 */
export class BackChannelError extends Error {
  readonly code = "BFF_BACK_CHANNEL_FAILED";
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "BackChannelError";
  }
}

/** Options checked once: a bad one throws a TypeError naming it. */
export interface ResolvedClient {
  url: URL;
  secret: string;
  timeout: number;
  attempts: number;
  fetch: typeof fetch;
  now: () => number;
}

/** Checks the options once, at setup: a bad one throws a TypeError naming it. */
export function resolveClient(options: BackChannelClientOptions): ResolvedClient {
  let url: URL;
  try {
    url = new URL(String(options?.url));
  } catch {
    throw new TypeError('option "url": the absolute URL of the BFF\'s back-channel');
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new TypeError('option "url": an http: or https: URL');
  if (typeof options.secret !== "string" || options.secret.length < MIN_SECRET_LENGTH)
    throw new TypeError(
      `option "secret": a string of at least ${MIN_SECRET_LENGTH} characters, the same as the BFF's backChannel({ secret })`,
    );
  const timeout = options.timeout ?? 1500;
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new TypeError('option "timeout": a positive number of milliseconds');
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10)
    throw new TypeError('option "attempts": an integer from 1 to 10');
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") throw new TypeError('option "fetch": a fetch function');
  return Object.freeze({
    url,
    secret: options.secret,
    timeout,
    attempts,
    fetch: fetchFn,
    now: options.now ?? Date.now,
  });
}

/**
 * Sends one message to the BFF's back-channel, signed (HMAC-SHA256 over method, path,
 * timestamp and body); each attempt is signed anew, so a retry is never taken for a replay.
 * Retries when the BFF cannot be reached, times out or answers 5xx; resolves the BFF's answer
 * (`{ ended }`), throws {@link BackChannelError} otherwise (a 401 is a wrong secret or clock).
 *
 * @example
 * ```ts
 * const { ended } = await notifyBff(bff, { type: "customer.deleted", customer_id: "cus_123" });
 * ```
 */
export async function notifyBff(
  options: BackChannelClientOptions,
  message: BackChannelMessage,
): Promise<{ ended: number }> {
  const client = resolveClient(options);
  const body = JSON.stringify(message);
  let last: BackChannelError | undefined;
  for (let attempt = 0; attempt < client.attempts; attempt++) {
    if (attempt > 0) await delay(200 * 2 ** (attempt - 1));
    const timestamp = Math.floor(client.now() / 1000);
    const headers = {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: signatureHeader(client.secret, {
        method: "POST",
        path: client.url.pathname,
        timestamp,
        body,
      }),
    };
    let res: Response;
    try {
      res = await client.fetch(client.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(client.timeout),
      });
    } catch (cause) {
      last = new BackChannelError("the BFF's back-channel could not be reached", 0, { cause });
      continue;
    }
    const text = await res.text().catch(() => "");
    if (res.ok) return { ended: endedIn(text) };
    last = new BackChannelError(`the BFF's back-channel answered ${res.status}`, res.status);
    if (res.status < 500) break;
  }
  throw last!;
}

function endedIn(text: string): number {
  try {
    const { ended } = JSON.parse(text) as { ended?: unknown };
    return typeof ended === "number" ? ended : 0;
  } catch {
    return 0;
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
