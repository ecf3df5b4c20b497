import {
  AttemptsLimitedError,
  BffSessionError,
  CrossSiteRequestError,
  KeySourceUnavailableError,
  NoSessionError,
  RequestBodyError,
  SessionStoreError,
  TokenRejectedError,
  UpstreamError,
} from "../../lib/errors/errors.js";

it.each<[BffSessionError, string, string]>([
  [new TokenRejectedError("expired"), "BFF_TOKEN_REJECTED", "TokenRejectedError"],
  [new NoSessionError("gone"), "BFF_NO_SESSION", "NoSessionError"],
  [new SessionStoreError("get"), "BFF_STORE_FAILED", "SessionStoreError"],
  [new KeySourceUnavailableError(), "BFF_KEYS_UNAVAILABLE", "KeySourceUnavailableError"],
  [new CrossSiteRequestError("x"), "BFF_CROSS_SITE", "CrossSiteRequestError"],
  [new AttemptsLimitedError("ip", 60), "BFF_ATTEMPTS_LIMITED", "AttemptsLimitedError"],
  [new UpstreamError("BFF_UPSTREAM_TIMEOUT", "m"), "BFF_UPSTREAM_TIMEOUT", "UpstreamError"],
  [new RequestBodyError("BFF_BODY_TOO_LARGE", "m"), "BFF_BODY_TOO_LARGE", "RequestBodyError"],
])("%s: a BffSessionError with code %s, named %s", (error, code, name) => {
  expect(error).toBeInstanceOf(BffSessionError);
  expect(error).toBeInstanceOf(Error);
  expect(error.code).toBe(code);
  expect(error.name).toBe(name);
});

it("keeps the cause", () => {
  const cause = new Error("jose");
  expect(new TokenRejectedError("signature", { cause }).cause).toBe(cause);
  expect(new SessionStoreError("set", { cause }).cause).toBe(cause);
  expect(new KeySourceUnavailableError({ cause }).cause).toBe(cause);
  expect(new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "m", { cause }).cause).toBe(cause);
});

it("carries what each failure needs: reason, detail, clearCookie, operation, retryAfter", () => {
  expect(new TokenRejectedError("replayed").reason).toBe("replayed");
  expect(new NoSessionError("d")).toMatchObject({ detail: "d", clearCookie: false });
  expect(new NoSessionError("d", { clearCookie: true }).clearCookie).toBe(true);
  expect(new SessionStoreError("touch").operation).toBe("touch");
  expect(new KeySourceUnavailableError().retryAfter).toBe(30);
  expect(new KeySourceUnavailableError({ retryAfter: 5 }).retryAfter).toBe(5);
  expect(new AttemptsLimitedError("identifier", 900)).toMatchObject({
    by: "identifier",
    retryAfter: 900,
  });
});

it.each([
  ["BFF_UPSTREAM_UNREACHABLE", 502],
  ["BFF_UPSTREAM_TIMEOUT", 504],
  ["BFF_UPSTREAM_BUSY", 503],
  ["BFF_UPSTREAM_BAD_ANSWER", 502],
] as const)("UpstreamError %s answers %i", (code, status) => {
  expect(new UpstreamError(code, "m").status).toBe(status);
});

it.each([
  ["BFF_BODY_TOO_LARGE", 413],
  ["BFF_BODY_TIMEOUT", 408],
  ["BFF_BODY_UNREADABLE", 400],
  ["BFF_BODY_ENCODED", 415],
] as const)("RequestBodyError %s answers %i", (code, status) => {
  expect(new RequestBodyError(code, "m").status).toBe(status);
});
