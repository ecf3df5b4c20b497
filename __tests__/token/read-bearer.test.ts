import type { Request } from "express";
import { TokenRejectedError } from "../../lib/errors/errors.js";
import { bearerCredential, readBearerToken } from "../../lib/token/read-bearer.js";

function req(...raw: string[]): Request {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] ??= raw[i + 1]!;
  return { headers, rawHeaders: raw } as unknown as Request;
}
function reason(request: Request): string | undefined {
  try {
    readBearerToken(request);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejectedError);
    expect(error).toMatchObject({ code: "BFF_TOKEN_REJECTED" });
    return (error as TokenRejectedError).reason;
  }
}

it("reads the token of a bearer credential, the scheme in any case", () => {
  expect(readBearerToken(req("Authorization", "Bearer abc.def.ghi"))).toBe("abc.def.ghi");
  expect(readBearerToken(req("authorization", "bearer  a-b_c~+/="))).toBe("a-b_c~+/=");
});

it("missing: no header, or an empty one", () => {
  expect(reason(req())).toBe("missing");
  expect(reason(req("Authorization", ""))).toBe("missing");
});

it.each([
  ["another scheme", "Basic dXNlcjpwYXNz"],
  ["two tokens", "Bearer a b"],
  ["a trailing comma", "Bearer a,"],
  ["no token", "Bearer "],
  ["no space", "Bearera"],
])("malformed: %s", (_, value) => {
  expect(reason(req("Authorization", value))).toBe("malformed");
});

it("malformed: the header twice, in any case", () => {
  expect(reason(req("Authorization", "Bearer a", "AUTHORIZATION", "Bearer b"))).toBe("malformed");
});

it("bearerCredential(): the token or undefined, never a throw", () => {
  expect(bearerCredential("Bearer t")).toBe("t");
  expect(bearerCredential("Basic t")).toBeUndefined();
  expect(bearerCredential(undefined)).toBeUndefined();
});
