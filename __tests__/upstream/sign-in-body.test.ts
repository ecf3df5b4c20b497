/**
 * Issue #22, item 2: a sign-in body is read exactly as the backend will read it, or refused
 * and never forwarded, so no encoding the backend accepts slips past the attempt limit.
 */
import { gzipSync } from "node:zlib";
import type { Express } from "express";
import request from "supertest";
import { bffFor, RIGHT, WRONG } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const json = JSON.stringify(RIGHT);
/** A sign-in with these exact bytes (superagent would serialise a Buffer as JSON). */
function postRaw(app: Express, type: string, body: Buffer, headers: Record<string, string> = {}) {
  return request(app)
    .post("/auth/customer/emailpass")
    .set({ "Content-Type": type, ...headers })
    .serialize((data: unknown) => data as string)
    .send(body as unknown as string);
}

const signIns = () => backend.seen.filter((s) => s.url.startsWith("/auth/customer/emailpass"));

describe("with the account locked, no encoding of the right password gets through", () => {
  it.each([
    [
      "a UTF-8 BOM",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]),
      "application/json",
    ],
    [
      "UTF-16LE with a BOM",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, "utf16le")]),
      "application/json",
    ],
    [
      "UTF-16BE with a BOM",
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, "utf16le").swap16()]),
      "application/json",
    ],
    ["UTF-16LE without a BOM", Buffer.from(json, "utf16le"), "application/json; charset=utf-16le"],
    [
      "a declared latin1 charset",
      Buffer.from(json, "latin1"),
      "application/json; charset=iso-8859-1",
    ],
    ["bytes that are not UTF-8", Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), "application/json"],
    ["JSON that is not an object", Buffer.from(`[${json}]`), "application/json"],
    ["text/plain", Buffer.from(json), "text/plain"],
    [
      "an email that is an array",
      Buffer.from(JSON.stringify({ ...RIGHT, email: [RIGHT.email] })),
      "application/json",
    ],
    [
      "a form naming the account twice",
      Buffer.from(`email=a%40b.c&email=${encodeURIComponent(RIGHT.email)}&password=right-password`),
      "application/x-www-form-urlencoded",
    ],
  ])("%s: 400, never forwarded", async (_name, body, type) => {
    const t = bffFor(backend, { upstreamExtra: { signInLimits: { identifier: { attempts: 2 } } } });
    for (let i = 0; i < 2; i++) await request(t.app).post("/auth/customer/emailpass").send(WRONG);
    expect((await request(t.app).post("/auth/customer/emailpass").send(RIGHT)).status).toBe(429);
    const before = signIns().length;
    const res = await postRaw(t.app, type, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.any(String), type: "invalid_data" });
    expect(signIns()).toHaveLength(before);
  });

  it("a gzip-encoded body: 415, never forwarded", async () => {
    const t = bffFor(backend);
    const res = await postRaw(t.app, "application/json", gzipSync(json), {
      "Content-Encoding": "gzip",
    });
    expect(res.status).toBe(415);
    expect(signIns()).toHaveLength(0);
  });
});

it("plain UTF-8 JSON and forms are read and counted as before", async () => {
  const t = bffFor(backend, { upstreamExtra: { signInLimits: { identifier: { attempts: 2 } } } });
  const form = `email=${encodeURIComponent(WRONG.email)}&password=guess`;
  expect(
    (await request(t.app).post("/auth/customer/emailpass").type("form").send(form)).status,
  ).toBe(401);
  expect((await request(t.app).post("/auth/customer/emailpass").send(WRONG)).status).toBe(401);
  // The form's attempt counted for the same account as the JSON one.
  expect((await request(t.app).post("/auth/customer/emailpass").send(RIGHT)).status).toBe(429);
});

it.each([
  ["[email]=…", `%5Bemail%5D=${encodeURIComponent(RIGHT.email)}&password=right-password`],
  ["email[0]=…", `email%5B0%5D=${encodeURIComponent(RIGHT.email)}&password=right-password`],
  ["a bracket key unencoded", `[email]=${encodeURIComponent(RIGHT.email)}&password=right-password`],
])(
  "a form key the backend's qs reads as the account (%s): 400, never forwarded",
  async (_n, form) => {
    const t = bffFor(backend);
    const res = await postRaw(t.app, "application/x-www-form-urlencoded", Buffer.from(form));
    expect(res.status).toBe(400);
    expect(signIns()).toHaveLength(0);
  },
);
