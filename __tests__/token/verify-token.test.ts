import { createHash } from "node:crypto";
import { SignJWT, type JWTPayload } from "jose";
import {
  KeySourceUnavailableError,
  TokenRejectedError,
  type TokenRejectionReason,
} from "../../lib/errors/errors.js";
import { hmacSecret } from "../../lib/token/keys/hmac-secret.js";
import type { KeySource } from "../../lib/token/keys/key-source.js";
import {
  MAX_TOKEN_LENGTH,
  tokenUseId,
  verifyToken,
  type TokenPolicy,
} from "../../lib/token/verify-token.js";
import { SECRET, START } from "../helpers.js";

const NOW = Math.floor(START / 1000);
const secret = new TextEncoder().encode(SECRET);

function policy(overrides: Partial<TokenPolicy> = {}): TokenPolicy {
  return {
    keys: hmacSecret(SECRET),
    issuer: undefined,
    audience: undefined,
    clockTolerance: 0,
    maxTokenAge: undefined,
    typ: undefined,
    customerIdClaim: "actor_id",
    actorTypeClaim: "actor_type",
    actorType: "customer",
    now: () => START,
    ...overrides,
  };
}

function sign(
  claims: JWTPayload = {},
  header: Record<string, unknown> = {},
  key: Uint8Array = secret,
) {
  return new SignJWT({
    actor_id: "cus_1",
    actor_type: "customer",
    iat: NOW,
    exp: NOW + 60,
    ...claims,
  })
    .setProtectedHeader({ alg: "HS256", ...header })
    .sign(key);
}

async function reason(
  token: string,
  p = policy(),
  opts = {},
): Promise<TokenRejectionReason | unknown> {
  try {
    await verifyToken(token, p, opts);
    return undefined;
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) return error;
    expect(error.code).toBe("BFF_TOKEN_REJECTED");
    return error.reason;
  }
}

it("resolves the claims and the customer id", async () => {
  const verified = await verifyToken(await sign({ jti: "j1" }), policy());
  expect(verified.customerId).toBe("cus_1");
  expect(verified.claims).toMatchObject({ actor_id: "cus_1", jti: "j1" });
});

it("too_large and malformed before any parsing", async () => {
  expect(await reason("a".repeat(MAX_TOKEN_LENGTH + 1))).toBe("too_large");
  expect(await reason("a.b")).toBe("malformed");
  expect(await reason("a.b.c.d.e")).toBe("malformed");
  expect(await reason(`${(await sign()).split(".").slice(0, 2).join(".")}.`)).toBe("malformed");
});

it.each<[string, JWTPayload, TokenRejectionReason]>([
  ["expired", { exp: NOW }, "expired"],
  ["not before", { nbf: NOW + 10 }, "not_yet_valid"],
  ["issued in the future", { iat: NOW + 10 }, "not_yet_valid"],
  ["another actor type", { actor_type: "user" }, "actor_type"],
  ["no actor id", { actor_id: undefined }, "actor_id"],
  ["an empty actor id", { actor_id: "" }, "actor_id"],
  ["an actor id too long", { actor_id: "c".repeat(257) }, "actor_id"],
  ["an empty jti", { jti: "" }, "claim"],
  ["a jti too long", { jti: "j".repeat(257) }, "claim"],
])("%s → %s", async (_, claims, expected) => {
  expect(await reason(await sign(claims))).toBe(expected);
});

it("no exp → claim (exp is required)", async () => {
  const token = await new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .sign(secret);
  expect(await reason(token)).toBe("claim");
});

it("an empty actor id is accepted for the sign-in routes (unregistered)", async () => {
  const verified = await verifyToken(await sign({ actor_id: "" }), policy(), {
    unregistered: true,
  });
  expect(verified.customerId).toBe("");
});

it("clockTolerance lets a just-expired token through", async () => {
  expect(
    await reason(await sign({ exp: NOW - 5 }), policy({ clockTolerance: 10 })),
  ).toBeUndefined();
});

it("issuer, audience and typ are checked when configured", async () => {
  expect(await reason(await sign({ iss: "a" }), policy({ issuer: "b" }))).toBe("claim");
  expect(await reason(await sign({ aud: "a" }), policy({ audience: "b" }))).toBe("claim");
  expect(await reason(await sign({}, { typ: "JWT" }), policy({ typ: "at+jwt" }))).toBe("claim");
  expect(
    await reason(await sign({ iss: "b", aud: "b" }), policy({ issuer: "b", audience: "b" })),
  ).toBeUndefined();
});

it("signature: another key, or a key source with no key for it", async () => {
  expect(await reason(await sign({}, {}, new TextEncoder().encode("x".repeat(32))))).toBe(
    "signature",
  );
  const none: KeySource = { algorithms: ["HS256"], getKeys: () => [] };
  expect(await reason(await sign(), policy({ keys: none }))).toBe("signature");
});

it("algorithm: an alg the key source does not declare", async () => {
  const token = await new SignJWT({ actor_id: "c", actor_type: "customer", exp: NOW + 60 })
    .setProtectedHeader({ alg: "HS512" })
    .sign(new TextEncoder().encode("x".repeat(64)));
  expect(await reason(token)).toBe("algorithm");
});

it("malformed: a kid that is not a bounded string, or a b64 header", async () => {
  expect(await reason(await sign({}, { kid: "k".repeat(1025) }))).toBe("malformed");
  expect(await reason(await sign({}, { kid: 7 }))).toBe("malformed");
  expect(await reason(await sign({}, { b64: false }))).toBe("malformed");
});

it("a key source outage passes through as KeySourceUnavailableError; any other throw is invalid", async () => {
  const down = new KeySourceUnavailableError();
  const outage: KeySource = {
    algorithms: ["HS256"],
    getKeys: () => {
      throw down;
    },
  };
  expect(await reason(await sign(), policy({ keys: outage }))).toBe(down);
  const broken: KeySource = {
    algorithms: ["HS256"],
    getKeys: () => {
      throw new Error("bug");
    },
  };
  expect(await reason(await sign(), policy({ keys: broken }))).toBe("invalid");
});

it("tries the next candidate key only after a bad signature", async () => {
  const other = new TextEncoder().encode("o".repeat(32));
  const keys: KeySource = { algorithms: ["HS256"], getKeys: () => [other, secret] };
  expect(await reason(await sign(), policy({ keys }))).toBeUndefined();
  // Expired under the first key: final, the second is never tried.
  const expired = await sign({ exp: NOW - 1 }, {}, other);
  expect(await reason(expired, policy({ keys }))).toBe("expired");
});

it("keeps jose's error as the cause", async () => {
  const error = await verifyToken(await sign({ exp: NOW }), policy()).catch((e: unknown) => e);
  expect((error as Error).cause).toMatchObject({ code: "ERR_JWT_EXPIRED" });
});

describe("tokenUseId()", () => {
  it("is the hash of the jti when there is one", () => {
    expect(tokenUseId("a.b.c", { jti: "j1" })).toBe(
      createHash("sha256").update("jti:j1").digest("base64url"),
    );
  });

  it("is the hash of the signed content otherwise: a re-encoded signature is the same token", () => {
    expect(tokenUseId("h.p.sig1", {})).toBe(tokenUseId("h.p.sig2", {}));
    expect(tokenUseId("h.p.sig1", {})).not.toBe(tokenUseId("h.q.sig1", {}));
    expect(tokenUseId("h.p.s", {})).not.toContain("h.p");
  });
});
