import { toAuthInfo, toSessionInfo } from "../../lib/session/auth-info.js";
import type { SessionRecord } from "../../lib/stores/session-store.js";

const record: SessionRecord = {
  sid: "sid",
  customerId: "cus_1",
  createdAt: 1000,
  lastSeenAt: 2000,
  idleExpiresAt: 5000,
  absoluteExpiresAt: 4000,
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
};

describe("toAuthInfo()", () => {
  it("ids as fields, deadlines as Dates; expiresAt is the earlier deadline", () => {
    const auth = toAuthInfo("sid", record);
    expect(auth.customerId).toBe("cus_1");
    expect(auth.sessionId).toBe("sid");
    expect(auth.createdAt).toEqual(new Date(1000));
    expect(auth.expiresAt).toEqual(new Date(4000));
    expect(auth.idleExpiresAt).toEqual(new Date(5000));
    expect(auth.absoluteExpiresAt).toEqual(new Date(4000));
    expect(auth.expiresAt).toBe(auth.expiresAt);
  });

  it("carries the token only when given, and never in JSON", () => {
    expect(toAuthInfo("sid", record).token).toBeUndefined();
    const auth = toAuthInfo("sid", record, "eyJ.secret");
    expect(auth.token).toBe("eyJ.secret");
    const json = JSON.parse(JSON.stringify(auth)) as Record<string, unknown>;
    expect(json).toEqual({
      customerId: "cus_1",
      sessionId: "sid",
      createdAt: new Date(1000).toISOString(),
      expiresAt: new Date(4000).toISOString(),
      idleExpiresAt: new Date(5000).toISOString(),
      absoluteExpiresAt: new Date(4000).toISOString(),
    });
  });
});

describe("toSessionInfo()", () => {
  it("the metadata of a session with a device label, never a token", () => {
    expect(toSessionInfo("sid", { ...record, token: "sealed" })).toEqual({
      sessionId: "sid",
      customerId: "cus_1",
      createdAt: new Date(1000),
      lastSeenAt: new Date(2000),
      expiresAt: new Date(4000),
      idleExpiresAt: new Date(5000),
      absoluteExpiresAt: new Date(4000),
      userAgent: record.userAgent,
      device: "Firefox on Windows",
    });
  });

  it("no User-Agent: no device", () => {
    const bare: SessionRecord = { ...record, userAgent: undefined };
    expect(toSessionInfo("sid", bare)).toMatchObject({ userAgent: undefined, device: undefined });
  });
});
