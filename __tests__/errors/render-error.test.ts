import {
  AttemptsLimitedError,
  CrossSiteRequestError,
  KeySourceUnavailableError,
  NoSessionError,
  RequestBodyError,
  SessionStoreError,
  TokenRejectedError,
  UpstreamError,
} from "../../lib/errors/errors.js";
import { renderError } from "../../lib/errors/render-error.js";
import { StoreApiError } from "../../lib/errors/store-api-error.js";

const UNKNOWN = {
  status: 500,
  body: { code: "unknown_error", message: "An unknown error occurred.", type: "unknown_error" },
};
const BACKEND = { message: "The commerce backend is unavailable.", type: "unexpected_state" };
const CONFLICT =
  "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.";

it.each<[string, unknown, unknown]>([
  ["TokenRejectedError", new TokenRejectedError("expired"), { status: 401, body: "Unauthorized" }],
  ["NoSessionError", new NoSessionError("gone"), { status: 401, body: "Unauthorized" }],
  [
    "SessionStoreError",
    new SessionStoreError("get", { cause: new Error("secret detail") }),
    {
      status: 500,
      body: {
        code: "api_error",
        message: "The session could not be read or written.",
        type: "database_error",
      },
    },
  ],
  [
    "KeySourceUnavailableError",
    new KeySourceUnavailableError({ retryAfter: 7 }),
    { ...UNKNOWN, headers: { "Retry-After": "7" } },
  ],
  [
    "UpstreamError BUSY",
    new UpstreamError("BFF_UPSTREAM_BUSY", "no slot"),
    { status: 503, body: BACKEND, headers: { "Retry-After": "1" } },
  ],
  [
    "UpstreamError TIMEOUT",
    new UpstreamError("BFF_UPSTREAM_TIMEOUT", "slow"),
    { status: 504, body: BACKEND },
  ],
  [
    "UpstreamError UNREACHABLE",
    new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "x"),
    { status: 502, body: BACKEND },
  ],
  [
    "UpstreamError BAD_ANSWER",
    new UpstreamError("BFF_UPSTREAM_BAD_ANSWER", "x"),
    { status: 502, body: BACKEND },
  ],
  [
    "RequestBodyError",
    new RequestBodyError("BFF_BODY_TIMEOUT", "The request body was not sent in time."),
    {
      status: 408,
      body: { message: "The request body was not sent in time.", type: "invalid_data" },
    },
  ],
  [
    "AttemptsLimitedError",
    new AttemptsLimitedError("ip", 120),
    {
      status: 429,
      body: { message: "Too many sign-in attempts. Try again later.", type: "not_allowed" },
      headers: { "Retry-After": "120" },
    },
  ],
  [
    "CrossSiteRequestError",
    new CrossSiteRequestError("Origin is null"),
    {
      status: 403,
      body: { message: "Cross-site request refused: Origin is null.", type: "forbidden" },
    },
  ],
])("%s", (_, error, expected) => {
  expect(renderError(error)).toEqual(expected);
});

describe("StoreApiError, by type", () => {
  it.each<[ConstructorParameters<typeof StoreApiError>[0], number]>([
    ["not_allowed", 400],
    ["invalid_data", 400],
    ["forbidden", 403],
    ["not_found", 404],
    ["unexpected_state", 500],
  ])("%s → %i, its message and code sent", (type, status) => {
    expect(renderError(new StoreApiError(type, "Said on purpose.", { code: "c1" }))).toEqual({
      status,
      body: { code: "c1", message: "Said on purpose.", type },
    });
    expect(renderError(new StoreApiError(type, "Said."))).toEqual({
      status,
      body: { message: "Said.", type },
    });
  });

  it("unauthorized → the bare 401", () => {
    expect(renderError(new StoreApiError("unauthorized", "x"))).toEqual({
      status: 401,
      body: "Unauthorized",
    });
  });

  it("conflict → 409 with the fixed retry message", () => {
    expect(renderError(new StoreApiError("conflict", "mine", { code: "c" }))).toEqual({
      status: 409,
      body: { code: "unknown_error", message: CONFLICT, type: "conflict" },
    });
  });

  it("duplicate_error → 422, database_error → 500, each with its fixed code", () => {
    expect(renderError(new StoreApiError("duplicate_error", "Email taken."))).toEqual({
      status: 422,
      body: { code: "invalid_request_error", message: "Email taken.", type: "duplicate_error" },
    });
    expect(renderError(new StoreApiError("database_error", "Try later."))).toEqual({
      status: 500,
      body: { code: "api_error", message: "Try later.", type: "database_error" },
    });
  });
});

it("an ORM transaction race by name → 409 named after it", () => {
  const race = Object.assign(new Error("internal"), { name: "TransactionAlreadyStartedError" });
  expect(renderError(race)).toEqual({
    status: 409,
    body: { code: "unknown_error", message: CONFLICT, type: "TransactionAlreadyStartedError" },
  });
});

it("an exposed 4xx (body-parser) keeps its status, never its message", () => {
  const parse = Object.assign(new Error("Unexpected token } in JSON at 12"), {
    status: 400,
    expose: true,
  });
  expect(renderError(parse)).toEqual({
    status: 400,
    body: { message: "The request could not be processed.", type: "invalid_data" },
  });
  expect(renderError({ status: 413, expose: true })).toMatchObject({ status: 413 });
});

it.each<[string, unknown]>([
  ["a plain Error", new Error("secret internals")],
  ["a string", "boom"],
  ["null", null],
  ["an unexposed 4xx", { status: 400, expose: false }],
  ["an exposed 401", { status: 401, expose: true }],
  ["an exposed 5xx", { status: 503, expose: true }],
])("%s → the fixed 500", (_, error) => {
  expect(renderError(error)).toEqual(UNKNOWN);
});
