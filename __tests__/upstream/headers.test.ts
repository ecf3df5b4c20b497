/**
 * Issue #22, items 4 and 6: what crosses the BFF, both ways. The browser's forwarding headers
 * never reach the backend; the backend's CORS headers never reach the browser; `Vary` is
 * merged, and every forwarded answer varies on `Cookie`.
 */
import request from "supertest";
import type express from "express";
import { mergeVary, requestHeaders } from "../../lib/upstream/headers.js";
import { bffFor, passwordSignIn } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

const SPOOFED = {
  "X-Forwarded-For": "203.0.113.7, 198.51.100.1",
  "X-Forwarded-Host": "evil.example",
  "X-Forwarded-Proto": "https",
  "X-Forwarded-Port": "443",
  Forwarded: "for=203.0.113.7;host=evil.example",
  "X-Real-IP": "203.0.113.7",
  "X-Client-IP": "203.0.113.7",
  "True-Client-IP": "203.0.113.7",
  "CF-Connecting-IP": "203.0.113.7",
  "Fastly-Client-IP": "203.0.113.7",
  "X-Cluster-Client-IP": "203.0.113.7",
  "X-ProxyUser-Ip": "203.0.113.7",
  "X-Original-URL": "/admin/users",
  "X-Rewrite-URL": "/admin/users",
  "X-HTTP-Method-Override": "DELETE",
};

describe("the browser's forwarding headers never reach the backend", () => {
  it.each([
    ["/store/products", "get"],
    ["/auth/customer/emailpass", "post"],
  ] as const)("%s", async (path, method) => {
    const t = bffFor(backend);
    const call = method === "post" ? request(t.app).post(path) : request(t.app).get(path);
    await call.set(SPOOFED).send(method === "post" ? { email: "a@b.c" } : undefined);
    const seen = backend.last().headers;
    expect(seen.forwarded).toBeUndefined();
    expect(seen["x-real-ip"]).toBeUndefined();
    expect(seen["x-forwarded-host"]).toBeUndefined();
    expect(seen["x-forwarded-proto"]).toBeUndefined();
    expect(seen["x-forwarded-port"]).toBeUndefined();
    for (const name of Object.keys(SPOOFED).map((n) => n.toLowerCase())) {
      if (name !== "x-forwarded-for") expect([name, seen[name]]).toEqual([name, undefined]);
    }
    // The BFF's own, from req.ip: the app trusts its loopback proxy, which saw 198.51.100.1;
    // what the client wrote before that is not believed.
    expect(seen["x-forwarded-for"]).toBe("198.51.100.1");
  });
});

it("a request padded with headers cannot push the BFF's own past a backend's header limit", () => {
  // Node's http parser keeps the first 2000 headers of a request, as a backend's may.
  const incoming = Object.fromEntries(Array.from({ length: 2100 }, (_, i) => [`x-pad-${i}`, "x"]));
  const req = { headers: incoming, ip: "198.51.100.1" } as unknown as express.Request;
  const body = { bytes: Buffer.from("{}"), decoded: false };
  const headers = requestHeaders(req, body, { token: "t", publishableKey: "pk_bff" });
  expect(Object.keys(headers).slice(0, 4).sort()).toEqual([
    "authorization",
    "content-length",
    "x-forwarded-for",
    "x-publishable-api-key",
  ]);
});

describe("the backend's CORS headers never reach the browser", () => {
  it("the app's CORS headers stand; Vary is merged with Origin and Cookie", async () => {
    // What cors({ origin, credentials: true }) sets before the router runs.
    const t = bffFor(backend, {}, (app) =>
      app.use((_req, res, next) => {
        res.setHeader("Access-Control-Allow-Origin", "https://shop.example");
        res.setHeader("Access-Control-Allow-Credentials", "true");
        res.setHeader("Vary", "Origin");
        next();
      }),
    );
    const res = await request(t.app).get("/store/products").set("Origin", "https://shop.example");
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe("https://shop.example");
    const vary = String(res.headers.vary)
      .split(/,\s*/)
      .map((v) => v.toLowerCase());
    expect(vary).toEqual(expect.arrayContaining(["origin", "accept-encoding", "cookie"]));
    expect(vary).toHaveLength(3);
  });

  it("without cors(), none at all", async () => {
    const res = await request(bffFor(backend).app).get("/store/products");
    expect(Object.keys(res.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });
});

describe("caching", () => {
  it("a guest's answer keeps the backend's Cache-Control but varies on Cookie", async () => {
    const res = await request(bffFor(backend).app).get("/store/products");
    expect(res.headers["cache-control"]).toBe("public, max-age=60");
    expect(String(res.headers.vary)).toMatch(/\bCookie\b/);
  });

  it("a customer's answer is private and never stored", async () => {
    const t = bffFor(backend);
    const cookie = await passwordSignIn(t.app);
    const res = await request(t.app).get("/store/products").set("Cookie", cookie);
    expect(res.headers["cache-control"]).toBe("private, no-store");
    expect(String(res.headers.vary)).toMatch(/\bCookie\b/);
  });
});

describe("mergeVary", () => {
  it.each([
    [["Origin", "Accept-Encoding", "Cookie"], "Origin, Accept-Encoding, Cookie"],
    [["Origin, cookie", "Cookie"], "Origin, cookie"],
    [[undefined, "Accept-Encoding", "Cookie"], "Accept-Encoding, Cookie"],
    [["Origin", "*", "Cookie"], "*"],
    [[["Origin", "Accept"], "accept"], "Origin, Accept"],
  ])("%j → %s", (values, merged) => {
    expect(mergeVary(...(values as string[]))).toBe(merged);
  });
});
