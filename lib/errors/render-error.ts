import { isStoreApiError } from "./store-api-error.js";
import {
  AttemptsLimitedError,
  CrossSiteRequestError,
  KeySourceUnavailableError,
  NoSessionError,
  RequestBodyError,
  SessionStoreError,
  TokenRejectedError,
  UpstreamError,
} from "./errors.js";

/** What a response for an error looks like; the one place that decides status and body. */
export interface ErrorResponse {
  status: number;
  /** A JSON body, or the string `"Unauthorized"` sent as text/plain. */
  body: Record<string, string> | "Unauthorized";
  headers?: Record<string, string>;
}

const UNAUTHORIZED: ErrorResponse = { status: 401, body: "Unauthorized" };

// Medusa treats these TypeORM/MikroORM transaction races as retryable conflicts.
const CONFLICT_ERROR_NAMES: ReadonlySet<string> = new Set([
  "QueryRunnerAlreadyReleasedError",
  "TransactionAlreadyStartedError",
  "TransactionNotStartedError",
]);

const CONFLICT_MESSAGE =
  "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.";

const UNKNOWN: ErrorResponse = {
  status: 500,
  body: {
    code: "unknown_error",
    message: "An unknown error occurred.",
    type: "unknown_error",
  },
};

const SESSION_STORE_FAILED: ErrorResponse = {
  status: 500,
  body: {
    code: "api_error",
    message: "The session could not be read or written.",
    type: "database_error",
  },
};

const UPSTREAM_UNAVAILABLE = {
  message: "The commerce backend is unavailable.",
  type: "unexpected_state",
};

function withCode(body: Record<string, string>, code: string | undefined): Record<string, string> {
  return code === undefined ? body : { code, ...body };
}

/**
 * Maps any thrown value to the documented response. Only a StoreApiError's message is ever
 * copied into a body; everything else gets a fixed text.
 */
export function renderError(error: unknown): ErrorResponse {
  if (error instanceof TokenRejectedError || error instanceof NoSessionError) return UNAUTHORIZED;
  if (error instanceof SessionStoreError) return SESSION_STORE_FAILED;
  if (error instanceof KeySourceUnavailableError) {
    // The identity provider's keys are out of reach for now; the client did nothing wrong.
    return { ...UNKNOWN, headers: { "Retry-After": String(error.retryAfter) } };
  }
  if (error instanceof UpstreamError) {
    // Which of the backend's failures it was is in the log and the event, never in the body.
    const headers = error.code === "BFF_UPSTREAM_BUSY" ? { "Retry-After": "1" } : undefined;
    return { status: error.status, body: UPSTREAM_UNAVAILABLE, ...(headers && { headers }) };
  }
  if (error instanceof RequestBodyError) {
    return { status: error.status, body: { message: error.message, type: "invalid_data" } };
  }
  if (error instanceof AttemptsLimitedError) {
    return {
      status: 429,
      body: { message: "Too many sign-in attempts. Try again later.", type: "not_allowed" },
      headers: { "Retry-After": String(error.retryAfter) },
    };
  }
  if (error instanceof CrossSiteRequestError) {
    // Which check refused, so a storefront developer can fix it; nothing internal.
    return {
      status: 403,
      body: { message: `Cross-site request refused: ${error.detail}.`, type: "forbidden" },
    };
  }
  if (isStoreApiError(error)) {
    const { type, message, code } = error;
    switch (type) {
      case "not_allowed":
      case "invalid_data":
        return { status: 400, body: withCode({ message, type }, code) };
      case "unauthorized":
        return UNAUTHORIZED;
      case "forbidden":
        return { status: 403, body: withCode({ message, type }, code) };
      case "not_found":
        return { status: 404, body: withCode({ message, type }, code) };
      case "conflict":
        return { status: 409, body: { code: "unknown_error", message: CONFLICT_MESSAGE, type } };
      case "duplicate_error":
        return { status: 422, body: { code: "invalid_request_error", message, type } };
      case "database_error":
        return { status: 500, body: { code: "api_error", message, type } };
      case "unexpected_state":
        return { status: 500, body: withCode({ message, type }, code) };
    }
  }
  if (error instanceof Error && CONFLICT_ERROR_NAMES.has(error.name)) {
    return {
      status: 409,
      body: { code: "unknown_error", message: CONFLICT_MESSAGE, type: error.name },
    };
  }
  const status = httpClientErrorStatus(error);
  if (status !== undefined) {
    // e.g. express.json() on a malformed body: keep the status, not the parser's message.
    return {
      status,
      body: { message: "The request could not be processed.", type: "invalid_data" },
    };
  }
  return UNKNOWN;
}

/** A 4xx from an http-errors style error (body-parser & co.) that is safe to keep. */
function httpClientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  if (
    expose === true &&
    typeof status === "number" &&
    status >= 400 &&
    status < 500 &&
    status !== 401
  ) {
    return status;
  }
  return undefined;
}
