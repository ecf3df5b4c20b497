import type { Duration } from "./duration.js";

/**
 * The `upstream` option: the commerce backend the BFF fronts. Durations are seconds or strings
 * such as "10s"; sizes are whole bytes.
 *
 * @example
 * ```ts
 * const upstream: UpstreamOptions = { baseUrl: "http://127.0.0.1:9000", publishableKey: process.env.PK, timeout: "10s" };
 * ```
 */
export interface UpstreamOptions {
  /** The backend's base URL, e.g. "https://api.example.com". */
  baseUrl: string | URL;
  /** Sent as `x-publishable-api-key` with every call; without it, the browser's own passes. */
  publishableKey?: string;
  /** How long the backend may take to answer before the browser gets a 504. Default "10s". */
  timeout?: Duration;
  /**
   * Refresh the kept token (`POST /auth/token/refresh`) when less than `remaining` of its
   * lifetime is left; `false` turns refresh off (a session then ends at its token's `exp`).
   * Default `{ remaining: 0.25 }`.
   */
  refresh?: boolean | { remaining?: number };
  /**
   * Failed password sign-ins allowed per account identifier (the body's `email` or
   * `username`) and per client IP (`req.ip`, which follows the app's `trust proxy`) within a
   * window; beyond them, 429 with `Retry-After` and nothing reaches the backend. Counted in the
   * session store's backend. Default `{ identifier: { attempts: 10, window: "15m" }, ip: {
   * attempts: 100, window: "15m" } }`; `false` turns the limits off.
   */
  signInLimits?:
    | false
    | {
        identifier?: { attempts?: number; window?: Duration };
        ip?: { attempts?: number; window?: Duration };
        /**
         * The key (at least 32 characters; a list: the first is used) of the HMAC-SHA256 under
         * which account identifiers and IPs are stored as counter keys, so the store holds
         * neither and a reader of it cannot test guesses. Default: the first `cookie.secret`.
         * Required when neither is set and the session store is shared (not a
         * `MemorySessionStore`): instances with their own random keys would not share counts.
         */
        secret?: string | string[];
      };
  /**
   * The most connections open to the backend at once (a whole number, 1 to 4096). A request
   * beyond them waits for one, at most `queueTimeout`. Default 128.
   */
  connections?: number;
  /**
   * How long a request may wait for a free backend connection before it gets 503 with
   * `Retry-After`. At most 10 minutes. Default "3s".
   */
  queueTimeout?: Duration;
  /**
   * The largest request body, in bytes, the BFF reads (whole, before it takes a backend
   * connection) and forwards; a bigger one gets 413. At most 64 MiB. Default 1048576 (1 MiB).
   */
  maxBodySize?: number;
  /** How long a client may take to send its whole request body before it gets 408. Default "10s". */
  clientBodyTimeout?: Duration;
  /**
   * Answers up to this many bytes are read whole from the backend before they are sent, so the
   * backend connection is free at once whatever the client's speed. Answers the BFF must read
   * (sign-in, refresh, the customer) are refused with 502 beyond it. At most 64 MiB. Default
   * 1048576 (1 MiB).
   */
  bufferSize?: number;
  /**
   * The part of a larger answer a client has not taken yet waits in a temporary file (in the
   * OS's temporary directory, unlinked at once) up to this many bytes, while the backend goes
   * on sending: the backend connection is free once the backend is done, as with nginx's
   * `proxy_max_temp_file_size`. A file that reached it takes no more until its client has
   * caught up; the backend waits meanwhile (under `sendTimeout`). 0 spills nothing. At most
   * 1 GiB. Default 1073741824 (1 GiB, nginx's default; `spillTotal` bounds all files).
   */
  spillSize?: number;
  /**
   * The bytes all spill files of this router hold at once. Beyond it an answer waits for its
   * client with its backend connection, as without spilling. 0 spills nothing. At most 64 GiB.
   * Default 1073741824 (1 GiB).
   */
  spillTotal?: number;
  /** How long a client may stall reading an answer before its connection is closed. Default "10s". */
  sendTimeout?: Duration;
}

/** `upstream.signInLimits` after defaults: windows in milliseconds. */
export interface ResolvedSignInLimits {
  identifier: { attempts: number; window: number };
  ip: { attempts: number; window: number };
}

/** The `upstream` option after defaults: durations in milliseconds, sizes in bytes. */
export interface ResolvedUpstream {
  /** The base URL, always ending in "/". */
  baseUrl: URL;
  publishableKey: string | undefined;
  /** Milliseconds. */
  timeout: number;
  /** The share of a token's lifetime left at which it is refreshed, or false. */
  refresh: { remaining: number } | false;
  signInLimits: ResolvedSignInLimits | false;
  connections: number;
  /** Milliseconds. */
  queueTimeout: number;
  /** Bytes. */
  maxBodySize: number;
  /** Milliseconds. */
  clientBodyTimeout: number;
  /** Bytes. */
  bufferSize: number;
  /** Bytes. */
  spillSize: number;
  /** Bytes. */
  spillTotal: number;
  /** Milliseconds. */
  sendTimeout: number;
}
