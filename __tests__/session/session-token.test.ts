import { createHash } from "node:crypto";
import {
  generateSessionToken,
  isWellFormedSessionToken,
  sessionIdFor,
} from "../../lib/session/session-token.js";

it("generates 43-character base64url tokens (256 bits), all different", () => {
  const tokens = new Set<string>();
  // More than one pool of 128: the refill is crossed.
  for (let i = 0; i < 300; i++) tokens.add(generateSessionToken());
  expect(tokens.size).toBe(300);
  for (const token of tokens) {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
  }
});

it("never hands out the zeroed bytes of a used slice", () => {
  const zeros = Buffer.alloc(32).toString("base64url");
  for (let i = 0; i < 300; i++) expect(generateSessionToken()).not.toBe(zeros);
});

it("tells a token it could have issued from anything else", () => {
  expect(isWellFormedSessionToken(generateSessionToken())).toBe(true);
  expect(isWellFormedSessionToken("A".repeat(42))).toBe(false);
  expect(isWellFormedSessionToken("A".repeat(44))).toBe(false);
  expect(isWellFormedSessionToken("A".repeat(42) + "=")).toBe(false);
  expect(isWellFormedSessionToken("A".repeat(42) + "+")).toBe(false);
  expect(isWellFormedSessionToken(`${"A".repeat(43)}\n`)).toBe(false);
});

it("keys a session by the token's SHA-256, base64url", () => {
  const token = "A".repeat(43);
  expect(sessionIdFor(token)).toBe(createHash("sha256").update(token).digest("base64url"));
  expect(sessionIdFor(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(sessionIdFor(token)).not.toBe(sessionIdFor("B".repeat(43)));
});
