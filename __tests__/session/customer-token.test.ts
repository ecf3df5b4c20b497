import request from "supertest";
import { customerToken, OpenedTokens, sealedFields } from "../../lib/session/customer-token.js";
import { openToken, sealToken } from "../../lib/session/sealed-token.js";
import type { SessionRecord } from "../../lib/stores/session-store.js";
import { buildApp, cookiePair, setCookie, signToken } from "../helpers.js";

describe("token.keep", () => {
  it("seals the JWT so the store never holds it readable, and hands it to later reads", async () => {
    const t = buildApp({ token: { keep: true } });
    const jwt = await signToken(t.clock, {}, { expiresIn: 3600 });
    const login = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${jwt}`);
    const cookie = cookiePair(setCookie(login.headers));
    const stored = JSON.stringify(t.store.calls);
    expect(stored).not.toContain(jwt);
    expect(stored).not.toContain(jwt.split(".")[1]);

    t.retrieve.mockClear();
    await request(t.app).get("/auth/session").set("Cookie", cookie).expect(200);
    expect(t.retrieve).toHaveBeenCalledWith("cus_123", expect.objectContaining({ token: jwt }));
  });

  it("ends the session no later than the token's exp", async () => {
    const t = buildApp({ token: { keep: true } });
    const jwt = await signToken(t.clock, {}, { expiresIn: 600 });
    const login = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${jwt}`);
    const cookie = cookiePair(setCookie(login.headers));
    t.clock.advance(599_000);
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      200,
    );
    t.clock.advance(1000);
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      401,
    );
  });

  it("keeps nothing without the option", async () => {
    const t = buildApp();
    await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    const record = t.store.calls.find((c) => c.method === "set")!.args[1] as object;
    expect(record).not.toHaveProperty("token");
  });
});

describe("customerToken()", () => {
  it("turns fractional iat/exp seconds into whole milliseconds", () => {
    expect(customerToken("jwt", { iat: 1000.9, exp: 2000.5 }, 5)).toEqual({
      token: "jwt",
      issuedAt: 1_000_900,
      expiresAt: 2_000_500,
    });
  });

  it("takes a token without iat as issued now", () => {
    expect(customerToken("jwt", { exp: 2000 }, 1_234_567).issuedAt).toBe(1_234_567);
  });
});

describe("sealedFields()", () => {
  it("seals the token for the session token and keeps its lifetime in clear", () => {
    const sessionToken = "S".repeat(43);
    const fields = sealedFields({ token: "eyJ.a.b", issuedAt: 1, expiresAt: 2 }, sessionToken);
    expect(fields.token).not.toContain("eyJ");
    expect(openToken(fields.token!, sessionToken)).toBe("eyJ.a.b");
    expect(fields).toMatchObject({ tokenIssuedAt: 1, tokenExpiresAt: 2 });
  });
});

describe("OpenedTokens", () => {
  const sessionToken = "T".repeat(43);
  const record = (token?: string): SessionRecord => ({
    customerId: "cus_1",
    createdAt: 0,
    lastSeenAt: 0,
    idleExpiresAt: 1,
    absoluteExpiresAt: 1,
    ...(token !== undefined && { token }),
  });

  it("opens a sealed token, and nothing for a record without one", () => {
    const opened = new OpenedTokens();
    expect(opened.open(record(sealToken("jwt-1", sessionToken)), sessionToken)).toBe("jwt-1");
    expect(opened.open(record(), sessionToken)).toBeUndefined();
  });

  it("refuses a session token the token was not sealed for, and does not remember the failure", () => {
    const opened = new OpenedTokens();
    const sealed = sealToken("jwt-2", sessionToken);
    expect(opened.open(record(sealed), "U".repeat(43))).toBeUndefined();
    expect(opened.open(record(sealed), sessionToken)).toBe("jwt-2");
  });

  it("opens each sealed text once: later opens come from memory, without deciphering", () => {
    const opened = new OpenedTokens();
    const sealed = sealToken("jwt-3", sessionToken);
    expect(opened.open(record(sealed), sessionToken)).toBe("jwt-3");
    // A key derived from another session token could not decipher it: the answer is the
    // remembered one (the sealed text is unique per seal, so it names this token alone).
    expect(opened.open(record(sealed), "V".repeat(43))).toBe("jwt-3");
  });
});
