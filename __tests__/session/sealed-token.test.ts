import { openToken, sealToken } from "../../lib/session/sealed-token.js";

const cookieToken = "A".repeat(43);

it("opens only with the cookie token it was sealed for, and refuses tampering", () => {
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

it("seals the same text differently each time (a random IV), never in clear", () => {
  const a = sealToken("eyJ.secret.jwt", cookieToken);
  const b = sealToken("eyJ.secret.jwt", cookieToken);
  expect(a).not.toBe(b);
  expect(a).not.toContain("eyJ");
  expect(a.split(".").map((p) => Buffer.from(p, "base64url").length)).toEqual([12, 14, 16]);
});

it("refuses an IV or a tag of the wrong length before deciphering", () => {
  const [iv, ct, tag] = sealToken("x", cookieToken).split(".");
  const short = (part: string) => Buffer.from(part, "base64url").subarray(1).toString("base64url");
  expect(openToken(`${short(iv!)}.${ct}.${tag}`, cookieToken)).toBeUndefined();
  expect(openToken(`${iv}.${ct}.${short(tag!)}`, cookieToken)).toBeUndefined();
  expect(openToken(`${iv}.${ct}`, cookieToken)).toBeUndefined();
});

it("refuses a sealed value with more than its three parts", () => {
  const sealed = sealToken("x", cookieToken);
  expect(openToken(sealed, cookieToken)).toBe("x");
  expect(openToken(`${sealed}.`, cookieToken)).toBeUndefined();
  expect(openToken(`${sealed}.AAAA`, cookieToken)).toBeUndefined();
});

it("round-trips non-ASCII text", () => {
  expect(openToken(sealToken("päßwörd ✓", cookieToken), cookieToken)).toBe("päßwörd ✓");
});
