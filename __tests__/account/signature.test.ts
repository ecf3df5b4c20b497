/**
 * The back-channel's signature on its own: what `sign` covers (method, path, timestamp, body,
 * each on its own line), the `bff-signature` header's format and parsing, and verification
 * under a rotation list, in constant time.
 */
import crypto from "node:crypto";
import {
  MIN_SECRET_LENGTH,
  SIGNATURE_HEADER,
  parseSignatureHeader,
  sign,
  signatureHeader,
  verifySignature,
  type SignedParts,
} from "../../lib/account/signature.js";

const SECRET = "back-channel-secret-shared-with-medusa-0123";
const PREVIOUS = "the-previous-secret-still-accepted-0123456";
const BODY = JSON.stringify({ type: "customer.deleted", customer_id: "cus_123" });
const PARTS: SignedParts = {
  method: "POST",
  path: "/bff/back-channel",
  timestamp: 1767225600,
  body: BODY,
};
const A_SIGNATURE = "A".repeat(43);

afterEach(() => jest.restoreAllMocks());

describe("sign()", () => {
  it("is HMAC-SHA256 of the versioned parts, base64url: a known answer both sides must agree on", () => {
    expect(sign(SECRET, PARTS)).toBe("Im8c2N7wgRpoSn0AsQOp4nMYkEC8sCs4SnBrPFfC5Ro");
  });

  it.each<[string, Partial<SignedParts>]>([
    ["the method", { method: "PUT" }],
    ["the path", { path: "/bff/elsewhere" }],
    ["the timestamp", { timestamp: PARTS.timestamp + 1 }],
    ["the body", { body: deletion("cus_other") }],
  ])("covers %s", (_part, change) => {
    expect(sign(SECRET, { ...PARTS, ...change })).not.toBe(sign(SECRET, PARTS));
  });

  it("depends on the secret", () => {
    expect(sign(PREVIOUS, PARTS)).not.toBe(sign(SECRET, PARTS));
  });

  it("keeps each part on its own line, so no part can lend bytes to its neighbour", () => {
    const pathAndTime = { ...PARTS, path: "/bff/back-channel1", timestamp: 767225600 };
    const timeAndBody = { ...PARTS, timestamp: 176722560, body: `0${BODY}` };
    expect(sign(SECRET, pathAndTime)).not.toBe(sign(SECRET, PARTS));
    expect(sign(SECRET, timeAndBody)).not.toBe(sign(SECRET, PARTS));
  });

  it("reads the method in any case, as HTTP names it", () => {
    expect(sign(SECRET, { ...PARTS, method: "post" })).toBe(sign(SECRET, PARTS));
  });

  it("signs a body given as bytes as it signs the same body as text", () => {
    const bytes = new TextEncoder().encode(BODY);
    expect(sign(SECRET, { ...PARTS, body: bytes })).toBe(sign(SECRET, PARTS));
  });
});

describe("signatureHeader()", () => {
  it("is t=<unix seconds>,v1=<signature>, under the bff-signature header", () => {
    expect(SIGNATURE_HEADER).toBe("bff-signature");
    expect(signatureHeader(SECRET, PARTS)).toBe(`t=1767225600,v1=${sign(SECRET, PARTS)}`);
  });

  it("parses back to its timestamp and signature", () => {
    expect(parseSignatureHeader(signatureHeader(SECRET, PARTS))).toEqual({
      timestamp: PARTS.timestamp,
      signatures: [sign(SECRET, PARTS)],
    });
  });
});

describe("parseSignatureHeader()", () => {
  it("collects every v1 signature, tolerates spaces and skips parts it does not know", () => {
    const second = "B".repeat(43);
    const header = ` t=12 , v0=${"C".repeat(43)}, v1=${A_SIGNATURE} ,x=1, v1=${second}`;
    expect(parseSignatureHeader(header)).toEqual({
      timestamp: 12,
      signatures: [A_SIGNATURE, second],
    });
  });

  it("takes a timestamp of up to 12 digits", () => {
    expect(parseSignatureHeader(`t=999999999999,v1=${A_SIGNATURE}`)?.timestamp).toBe(
      999_999_999_999,
    );
  });

  it.each<[string, string | undefined]>([
    ["no header", undefined],
    ["an empty header", ""],
    ["no timestamp", `v1=${A_SIGNATURE}`],
    ["no signature", "t=1767225600"],
    ["a timestamp of 13 digits", `t=1767225600000,v1=${A_SIGNATURE}`],
    ["a negative timestamp", `t=-1,v1=${A_SIGNATURE}`],
    ["a timestamp in another notation", `t=1.7e9,v1=${A_SIGNATURE}`],
    ["a timestamp with no value", `t,v1=${A_SIGNATURE}`],
    ["a signature one character short", `t=1,v1=${"A".repeat(42)}`],
    ["a signature one character long", `t=1,v1=${"A".repeat(44)}`],
    ["a signature in base64, not base64url", `t=1,v1=${"A".repeat(42)}+`],
    ["a signature with no value", "t=1,v1"],
    ["a timestamp named in another case", `T=1,v1=${A_SIGNATURE}`],
    ["a signature named in another case", `t=1,V1=${A_SIGNATURE}`],
    ["a signature of another version only", `t=1,v2=${A_SIGNATURE}`],
  ])("reads nothing from %s", (_case, value) => {
    expect(parseSignatureHeader(value)).toBeUndefined();
  });

  it("refuses a header longer than 1024 characters before reading it", () => {
    const head = `t=1,v1=${A_SIGNATURE}`;
    const exactly = `${head},${"x".repeat(1024 - head.length - 1)}`;
    expect(exactly.length).toBe(1024);
    expect(parseSignatureHeader(exactly)).toEqual({ timestamp: 1, signatures: [A_SIGNATURE] });
    expect(parseSignatureHeader(`${exactly}x`)).toBeUndefined();
  });
});

describe("verifySignature()", () => {
  it("returns the given signature that signs the parts", () => {
    const signature = sign(SECRET, PARTS);
    expect(verifySignature([SECRET], [A_SIGNATURE, signature], PARTS)).toBe(signature);
  });

  it("accepts a signature under any secret of a rotation list", () => {
    const byPrevious = sign(PREVIOUS, PARTS);
    expect(verifySignature([SECRET, PREVIOUS], [byPrevious], PARTS)).toBe(byPrevious);
    expect(verifySignature([SECRET], [byPrevious], PARTS)).toBeUndefined();
  });

  it.each<[string, Partial<SignedParts>]>([
    ["another method", { method: "PUT" }],
    ["another path", { path: "/bff/elsewhere" }],
    ["another timestamp", { timestamp: PARTS.timestamp - 61 }],
    ["an altered body", { body: deletion("cus_other") }],
  ])("refuses a signature checked against %s", (_case, change) => {
    expect(verifySignature([SECRET], [sign(SECRET, PARTS)], { ...PARTS, ...change })).toBe(
      undefined,
    );
  });

  it("refuses when nothing is given, or no secret is", () => {
    expect(verifySignature([SECRET], [], PARTS)).toBeUndefined();
    expect(verifySignature([], [sign(SECRET, PARTS)], PARTS)).toBeUndefined();
  });

  it("skips a candidate of another length instead of throwing", () => {
    const signature = sign(SECRET, PARTS);
    expect(verifySignature([SECRET], ["short", signature], PARTS)).toBe(signature);
    expect(verifySignature([SECRET], [`${signature}x`], PARTS)).toBeUndefined();
  });

  it("compares in constant time", () => {
    const compare = jest.spyOn(crypto, "timingSafeEqual");
    const signature = sign(SECRET, PARTS);
    expect(verifySignature([SECRET], [signature], PARTS)).toBe(signature);
    expect(compare).toHaveBeenCalledWith(Buffer.from(signature), Buffer.from(signature));
  });
});

it("asks for secrets of at least 32 characters, as an HS256 key should be", () => {
  expect(MIN_SECRET_LENGTH).toBe(32);
});

function deletion(customerId: string): string {
  return JSON.stringify({ type: "customer.deleted", customer_id: customerId });
}
