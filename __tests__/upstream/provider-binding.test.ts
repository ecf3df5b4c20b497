/**
 * Issue #22, item 9: a third-party sign-in creates a session only in the browser that began
 * it through the BFF (login CSRF through the provider's callback).
 */
import request from "supertest";
import { bffFor } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

/** Begins a sign-in at the stub's provider; resolves the binding cookie this browser got. */
async function begin(t: ReturnType<typeof bffFor>): Promise<string> {
  const res = await request(t.app).post("/auth/customer/google").send({});
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ location: "https://accounts.example.com/o/oauth2?state=abc" });
  const line = ([] as string[])
    .concat(res.headers["set-cookie"] ?? [])
    .find((l) => l.startsWith("bff.sid.signin="));
  expect(line).toMatch(/; HttpOnly/);
  expect(line).toMatch(/Max-Age=600/);
  expect(line).not.toContain("abc"); // a hash of the state, not the state
  return line!.split(";")[0]!;
}

const callback = "/auth/customer/google/callback?code=good-code&state=abc";
const callbacks = () =>
  backend.seen.filter((s) => s.url.startsWith("/auth/customer/google/callback"));

it("the browser that began the sign-in gets its session", async () => {
  const t = bffFor(backend);
  const binding = await begin(t);
  const res = await request(t.app).get(callback).set("Cookie", binding);
  expect(res.status).toBe(200);
  expect(res.body.token).toMatch(/^bffsi_/);
  expect(String(res.headers["set-cookie"])).toMatch(/bff\.sid=/);
  // The binding is used up.
  expect(String(res.headers["set-cookie"])).toMatch(/bff\.sid\.signin=;.*Max-Age=0/);
});

it.each([
  ["no binding cookie (a code planted in a victim's browser)", undefined, callback],
  ["a binding for another state", "bff.sid.signin=" + "A".repeat(43), callback],
  ["no state in the callback", "from-begin", "/auth/customer/google/callback?code=good-code"],
])("%s: 403, never forwarded, no session", async (_name, cookie, path) => {
  const t = bffFor(backend);
  const binding = cookie === "from-begin" ? await begin(t) : cookie;
  let req = request(t.app).get(path);
  if (binding !== undefined) req = req.set("Cookie", binding);
  const res = await req;
  expect(res.status).toBe(403);
  expect(res.body.type).toBe("forbidden");
  expect(String(res.headers["set-cookie"] ?? "")).not.toMatch(/bff\.sid=[^;]/);
  expect(callbacks()).toHaveLength(0);
});

it("over HTTPS the binding is a __Host- cookie, host-only, even when the session cookie has a Domain", async () => {
  const t = bffFor(backend, { cookie: { secure: true, domain: "shop.example" } });
  const res = await request(t.app).post("/auth/customer/google").send({});
  const line = ([] as string[])
    .concat(res.headers["set-cookie"] ?? [])
    .find((l) => l.startsWith("__Host-bff.sid.signin="));
  expect(line).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/);
  expect(line).not.toMatch(/Domain=/i);
});
