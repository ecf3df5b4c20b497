import { expiresAt, isSessionRecord, type SessionRecord } from "../../lib/stores/session-store.js";

const record: SessionRecord = {
  customerId: "cus_1",
  createdAt: 1,
  lastSeenAt: 2,
  idleExpiresAt: 30,
  absoluteExpiresAt: 20,
};

it("expiresAt(): the earlier of the two deadlines", () => {
  expect(expiresAt(record)).toBe(20);
  expect(expiresAt({ ...record, idleExpiresAt: 10 })).toBe(10);
});

describe("isSessionRecord()", () => {
  it("accepts a record, with every optional field of the right type", () => {
    expect(isSessionRecord(record)).toBe(true);
    expect(
      isSessionRecord({
        ...record,
        sid: "s",
        userAgent: "ua",
        token: "t",
        tokenIssuedAt: 1,
        tokenExpiresAt: 2,
        pending: true,
        standIn: "h",
        standInExpiresAt: 3,
      }),
    ).toBe(true);
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "record"],
    ["no customer", { ...record, customerId: undefined }],
    ["an empty customer", { ...record, customerId: "" }],
    ["a numeric customer", { ...record, customerId: 1 }],
    ["a createdAt string", { ...record, createdAt: "1" }],
    ["a NaN lastSeenAt", { ...record, lastSeenAt: Number.NaN }],
    ["an infinite idle deadline", { ...record, idleExpiresAt: Number.POSITIVE_INFINITY }],
    ["no absolute deadline", { ...record, absoluteExpiresAt: undefined }],
    ["a numeric userAgent", { ...record, userAgent: 1 }],
    ["an object token", { ...record, token: {} }],
    ["a string tokenIssuedAt", { ...record, tokenIssuedAt: "1" }],
    ["a string tokenExpiresAt", { ...record, tokenExpiresAt: "1" }],
    ["a numeric sid", { ...record, sid: 1 }],
    ["a string pending", { ...record, pending: "true" }],
    ["a numeric standIn", { ...record, standIn: 1 }],
    ["a string standInExpiresAt", { ...record, standInExpiresAt: "1" }],
  ])("refuses %s", (_, value) => {
    expect(isSessionRecord(value)).toBe(false);
  });
});
