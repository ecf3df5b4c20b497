/**
 * Issue #22, items 5 and 7: an answer that can carry a token is asked for without
 * compression, read whatever its headers claim, bounded in size, and refused (502) when it
 * cannot be read: a token never reaches the browser.
 */
import request from "supertest";
import { bffFor, JWT, passwordSignIn } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const UNAVAILABLE = { message: "The commerce backend is unavailable.", type: "unexpected_state" };

it("asks the backend for an identity-encoded answer, whatever the browser accepts", async () => {
  const t = bffFor(backend);
  await request(t.app).post("/auth/customer/emailpass").set("Accept-Encoding", "gzip, br").send({});
  expect(backend.last().headers["accept-encoding"]).toBe("identity");
});

it.each([
  "gzip",
  "nested",
  "text",
  "huge",
  "utf16-error",
  "base64",
  "percent",
  "split",
  "base64-inside",
  "hex",
])("a %s token answer: 502, no token, no session", async (shape) => {
  const t = bffFor(backend, { upstreamExtra: { bufferSize: 1024 * 1024 } });
  const res = await request(t.app)
    .post(`/auth/customer/odd?shape=${shape}`)
    .set("Accept-Encoding", "gzip")
    .send({});
  expect(res.status).toBe(502);
  expect(res.body).toEqual(UNAVAILABLE);
  expect(res.text).not.toMatch(JWT);
  expect(res.headers["set-cookie"]).toBeUndefined();
  expect(t.events.some((e) => e.type === "session.created")).toBe(false);
});

it.each(["text-json", "plus-json", "bom"])(
  "a %s token answer is read as JSON: the token kept, a stand-in sent",
  async (shape) => {
    const t = bffFor(backend);
    const res = await request(t.app).post(`/auth/customer/odd?shape=${shape}`).send({});
    expect(res.status).toBe(200);
    expect(res.text).not.toMatch(JWT);
    expect(JSON.parse(res.text)).toEqual({ token: expect.stringMatching(/^bffsi_/) });
    expect(res.headers["set-cookie"]).toBeDefined();
  },
);

it("a customer read larger than bufferSize: 502, never buffered whole", async () => {
  const t = bffFor(backend, { upstreamExtra: { bufferSize: 64 * 1024 } });
  const cookie = await passwordSignIn(t.app);
  backend.state.customerPadding = 2 * 1024 * 1024;
  const res = await request(t.app).get("/auth/session").set("Cookie", cookie);
  expect(res.status).toBe(502);
  expect(res.body).toEqual(UNAVAILABLE);
});

it("only harmless headers of a sign-in answer reach the browser", async () => {
  const t = bffFor(backend);
  const res = await request(t.app).post("/auth/customer/odd?shape=headers").send({});
  expect(res.status).toBe(401);
  expect(res.body).toEqual({ type: "unauthorized", message: "Invalid" });
  expect(JSON.stringify(res.headers)).not.toMatch(JWT);
  expect(res.headers["x-auth-token"]).toBeUndefined();
  expect(res.headers.location).toBeUndefined();
});

it("a short plain-text answer passes as it is (Medusa's 201 Created)", async () => {
  const t = bffFor(backend);
  const res = await request(t.app)
    .post("/auth/customer/emailpass/reset-password")
    .send({ identifier: "jo@example.com" });
  expect(res.status).toBe(201);
  expect(res.text).toBe("Created");
  expect(res.headers["content-type"]).toMatch(/^text\/plain/);
});
