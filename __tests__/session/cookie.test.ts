/**
 * The session cookie is read with the `cookie` package's grammar: a name counts only at the
 * start of a `;`-separated pair. Text inside another cookie's value never names the session,
 * whatever separator (space, comma, tab) precedes it.
 */
import request from "supertest";
import { SessionCookie } from "../../lib/session/cookie.js";
import { buildApp, signIn } from "../helpers.js";

const TOKEN = "A".repeat(43);
const jar = (name = "__Host-bff.sid", secrets: string[] = []) =>
  new SessionCookie({
    name,
    persistent: true,
    secure: true,
    sameSite: "lax",
    domain: undefined,
    path: "/",
    secrets,
  });

describe("SessionCookie.read", () => {
  const cookie = jar();

  it.each([
    ["alone", `__Host-bff.sid=${TOKEN}`],
    ["after another cookie", `a=1; __Host-bff.sid=${TOKEN}`],
    ["before another cookie", `__Host-bff.sid=${TOKEN}; a=1`],
    ["with spaces around the pair", `a=1;   __Host-bff.sid=${TOKEN}  ; b=2`],
    ["without a space after ;", `a=1;__Host-bff.sid=${TOKEN}`],
    ["quoted (RFC 6265 §4.1.1)", `__Host-bff.sid="${TOKEN}"`],
  ])("finds the session cookie %s", (_name, header) => {
    expect(cookie.read(header)).toBe(TOKEN);
  });

  it.each([
    // Another cookie's value holding the session cookie's name: settable from a sibling
    // subdomain, which the __Host- prefix exists to keep out.
    ["inside another value after a space", `x=foo __Host-bff.sid=${TOKEN}`],
    ["inside another value after a comma", `x=foo,__Host-bff.sid=${TOKEN}`],
    ["inside another value after a tab", `x=foo\t__Host-bff.sid=${TOKEN}`],
    ["inside another value, quoted", `x="a __Host-bff.sid=${TOKEN}"`],
    ["comma-joined headers", `x=1, __Host-bff.sid=${TOKEN}`],
    ["a longer name ending in the name", `x__Host-bff.sid=${TOKEN}`],
    ["a shorter prefix of the name", `__Host-bff=${TOKEN}`],
    ["the name without the prefix", `bff.sid=${TOKEN}`],
    ["percent-encoded name", `__Host-bff%2Esid=${TOKEN}`],
    ["name in another cookie's name", `foo __Host-bff.sid=${TOKEN}`],
    ["empty header", ""],
    ["only separators", ";;; ; ;"],
  ])("reads no session %s", (_name, header) => {
    expect(cookie.read(header)).toBeUndefined();
  });

  it.each([
    ["twice, same value", `__Host-bff.sid=${TOKEN}; __Host-bff.sid=${TOKEN}`],
    ["twice, planted first", `__Host-bff.sid=${"B".repeat(43)}; __Host-bff.sid=${TOKEN}`],
    ["twice, no space", `__Host-bff.sid=${TOKEN};__Host-bff.sid=${TOKEN}`],
    ["twice, padded name", `__Host-bff.sid=${TOKEN};  __Host-bff.sid =x`],
  ])("refuses a duplicated session cookie (%s)", (_name, header) => {
    expect(cookie.read(header)).toBeUndefined();
  });

  it("a duplicate is only a second pair of that name, not the name inside a value", () => {
    expect(cookie.read(`x=__Host-bff.sid=1; __Host-bff.sid=${TOKEN}`)).toBe(TOKEN);
  });

  it("signed cookies round-trip and refuse a value signed with another secret", () => {
    const signed = jar("bff.sid", ["s".repeat(32), "old-secret-that-is-32-characters"]);
    const pair = signed.serialize(TOKEN, 60).split(";")[0]!;
    expect(signed.read(pair)).toBe(TOKEN);
    const other = jar("bff.sid", ["o".repeat(32)]);
    expect(other.read(pair)).toBeUndefined();
    const rotated = jar("bff.sid", ["n".repeat(32), "s".repeat(32)]);
    expect(rotated.read(pair)).toBe(TOKEN);
    expect(signed.read(`bff.sid=${TOKEN}`)).toBeUndefined();
  });
});

describe("a planted value in another cookie (HTTP)", () => {
  it.each([
    ["space", (c: string) => `theme=dark ${c}`],
    ["comma", (c: string) => `theme=dark,${c}`],
    ["comma-joined header", (c: string) => `theme=dark, ${c}`],
  ])("never authenticates (%s)", async (_name, plant) => {
    const t = buildApp();
    const attackers = await signIn(t);
    const res = await request(t.app).get("/store/customers/me").set("Cookie", plant(attackers));
    expect(res.status).toBe(401);
  });
});
