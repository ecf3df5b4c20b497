import { generateKeyPair } from "jose";
import request from "supertest";
import {
  ASYMMETRIC_ALGORITHMS,
  asymmetricAlgorithms,
  isKeySource,
  type KeySource,
} from "../../../lib/token/keys/key-source.js";
import { buildApp, createClock, signToken } from "../../helpers.js";
import { es256, signWith, status } from "./support.js";

describe("a KeySource of the user's own", () => {
  it("works and is asked only for algorithms it declares", async () => {
    const k = await es256();
    const getKeys = jest.fn(() => [k.publicKey]);
    const own: KeySource = { algorithms: ["ES256"], getKeys };
    expect((await status(own, await signWith(k.privateKey, { kid: "x" }))).status).toBe(200);
    expect(getKeys).toHaveBeenCalledWith(expect.objectContaining({ alg: "ES256", kid: "x" }));
    const hs = await signToken(createClock(Date.now()));
    expect((await status(own, hs)).status).toBe(401);
    expect(getKeys).toHaveBeenCalledTimes(1);
  });

  it("a key that does not fit the token's algorithm (jose's TypeError) refuses the token (401)", async () => {
    const ec = await es256();
    const { privateKey } = await generateKeyPair("RS256");
    const own: KeySource = { algorithms: ["RS256", "ES256"], getKeys: () => [ec.publicKey] };
    const token = await signWith(privateKey, {}, "RS256");
    const t = buildApp({ keys: own, now: Date.now }, createClock(Date.now()));
    const res = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(t.events).toEqual([{ type: "token.rejected", reason: "invalid" }]);
  });

  it("a key source that throws an ordinary error refuses the token (401), never a 500", async () => {
    const k = await es256();
    const own: KeySource = {
      algorithms: ["ES256"],
      getKeys() {
        throw new Error("kid lookup failed");
      },
    };
    expect((await status(own, await signWith(k.privateKey))).status).toBe(401);
  });
});

describe("isKeySource()", () => {
  const getKeys = () => [];
  it.each<[string, unknown]>([
    ["null", null],
    ["a function", getKeys],
    ["no algorithms", { getKeys }],
    ["an empty list", { algorithms: [], getKeys }],
    ["an empty name", { algorithms: [""], getKeys }],
    ['"none"', { algorithms: ["ES256", "None"], getKeys }],
    ["no getKeys", { algorithms: ["ES256"] }],
  ])("refuses %s", (_, value) => {
    expect(isKeySource(value)).toBe(false);
  });

  it("accepts algorithms and a getKeys function", () => {
    expect(isKeySource({ algorithms: ["ES256"], getKeys })).toBe(true);
  });
});

describe("asymmetricAlgorithms()", () => {
  it("returns a frozen copy of a list of asymmetric algorithms", () => {
    const given = ["ES256", "RS256"];
    const list = asymmetricAlgorithms("test", given);
    expect(list).toEqual(given);
    expect(list).not.toBe(given);
    expect(Object.isFrozen(list)).toBe(true);
  });

  it.each<[string, unknown]>([
    ["HMAC", ["HS256"]],
    ["none", ["none"]],
    ["a mix with HMAC", ["ES256", "HS256"]],
    ["an empty list", []],
    ["a string", "ES256"],
  ])("refuses %s, naming the source and the option", (_, value) => {
    expect(() => asymmetricAlgorithms("publicKeys", value)).toThrow(
      expect.objectContaining({
        name: "TypeError",
        message: expect.stringMatching(/^publicKeys: option "algorithms"/),
      }),
    );
  });

  it("lists no HMAC and no unsigned algorithm", () => {
    expect(ASYMMETRIC_ALGORITHMS.filter((a) => /^HS|^none$/i.test(a))).toEqual([]);
    expect(ASYMMETRIC_ALGORITHMS).toEqual(expect.arrayContaining(["RS256", "ES256", "EdDSA"]));
  });
});
