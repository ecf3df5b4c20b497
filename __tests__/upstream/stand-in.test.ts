import { createHash } from "node:crypto";
import {
  isStandIn,
  matchesStandIn,
  newStandIn,
  redeemStandIn,
  STAND_IN_MS,
  standInFields,
  standInHash,
} from "../../lib/upstream/stand-in.js";
import { START } from "../helpers.js";
import { makeSessions } from "../support/sessions.js";

it("a new stand-in: bffsi_ and 256 random bits, never a JWT, with its SHA-256", () => {
  const a = newStandIn();
  const b = newStandIn();
  expect(a.standIn).toMatch(/^bffsi_[A-Za-z0-9_-]{43}$/);
  expect(a.standIn).not.toContain(".");
  expect(a.standIn).not.toBe(b.standIn);
  expect(a.hash).toBe(createHash("sha256").update(a.standIn).digest("base64url"));
  expect(standInHash(a.standIn)).toBe(a.hash);
});

it("isStandIn(): only the exact shape", () => {
  expect(isStandIn(newStandIn().standIn)).toBe(true);
  expect(isStandIn("bffsi_short")).toBe(false);
  expect(isStandIn(`${newStandIn().standIn}x`)).toBe(false);
  expect(isStandIn("eyJhbGciOiJIUzI1NiJ9.e30.sig")).toBe(false);
});

it("standInFields(): accepted for STAND_IN_MS", () => {
  expect(standInFields("h", 1000)).toEqual({ hash: "h", expiresAt: 1000 + STAND_IN_MS });
  expect(STAND_IN_MS).toBeLessThanOrEqual(60_000);
});

describe("matchesStandIn()", () => {
  const { standIn, hash } = newStandIn();
  const record = { standIn: hash, standInExpiresAt: 2000 };
  it("true for the record's stand-in before its time", () => {
    expect(matchesStandIn(record, standIn, 1999)).toBe(true);
  });
  it("false at or after its time, for another stand-in, or without one", () => {
    expect(matchesStandIn(record, standIn, 2000)).toBe(false);
    expect(matchesStandIn(record, newStandIn().standIn, 1000)).toBe(false);
    expect(matchesStandIn({}, standIn, 1000)).toBe(false);
    expect(matchesStandIn({ standIn: hash }, standIn, 1000)).toBe(false);
  });
});

describe("redeemStandIn()", () => {
  it("true once across calls (the store's single-use claim), false for a mismatch", async () => {
    const t = makeSessions();
    const { standIn, hash } = newStandIn();
    const { record } = await t.sessions.start("cus_1", t.request(), {
      standIn: standInFields(hash, START),
    });
    expect(await redeemStandIn(t.sessions, record, newStandIn().standIn, START)).toBe(false);
    expect(await redeemStandIn(t.sessions, record, standIn, START)).toBe(true);
    expect(await redeemStandIn(t.sessions, record, standIn, START)).toBe(false);
  });
});
