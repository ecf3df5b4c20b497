import request from "supertest";
import { openToken, sealToken } from "../../lib/session/sealed-token.js";
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

  it("opens only with the cookie token it was sealed for, and refuses tampering", () => {
    const cookieToken = "A".repeat(43);
    const sealed = sealToken("eyJ.secret.jwt", cookieToken);
    expect(openToken(sealed, cookieToken)).toBe("eyJ.secret.jwt");
    expect(openToken(sealed, "B".repeat(43))).toBeUndefined();
    const [iv, ct, tag] = sealed.split(".");
    // Flip a bit of the ciphertext itself (not a base64 character, whose low bits may be padding).
    const bytes = Buffer.from(ct!, "base64url");
    bytes[0]! ^= 1;
    const flipped = bytes.toString("base64url");
    expect(openToken(`${iv}.${flipped}.${tag}`, cookieToken)).toBeUndefined();
    expect(openToken("garbage", cookieToken)).toBeUndefined();
  });
});
