/**
 * Issue #22, item 3: every forwarded route keeps its path under the prefix it matched, with
 * the same refusals as /store (dot segments, encoded slashes and backslashes, empty segments).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type express from "express";
import { upstreamPath } from "../../lib/upstream/paths.js";
import { bffFor, passwordSignIn } from "./bff.js";
import { stubBackend } from "./stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());
beforeEach(() => backend.reset());

/** A raw request, so the path reaches the BFF exactly as written (no client normalisation). */
function raw(app: express.Express, method: string, path: string, cookie: string) {
  return new Promise<number>((resolve, reject) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      const req = http.request(
        {
          host: "127.0.0.1",
          port,
          path,
          method,
          headers: { cookie, "content-type": "application/json" },
        },
        (res) => {
          res.resume();
          res.on("end", () => server.close(() => resolve(res.statusCode!)));
        },
      );
      req.once("error", reject);
      req.end(method === "POST" ? "{}" : undefined);
    });
  });
}

const HOSTILE = [
  "/auth/mfa/../../admin/users",
  "/auth/mfa/%2e%2e/%2e%2e/admin/users",
  "/auth/mfa/challenges%2f..%2f..%2fadmin",
  "/auth/verification/..%5c..%5cadmin",
  "/auth/mfa/challenges//verify",
  "/auth/verification/./x",
  "/auth/mfa/%zz",
];

describe.each(["GET", "POST"])("%s on the MFA and verification routes", (method) => {
  it.each(HOSTILE)("%s: 400, never forwarded with the customer's token", async (path) => {
    const t = bffFor(backend);
    const cookie = await passwordSignIn(t.app);
    const before = backend.seen.length;
    expect(await raw(t.app, method, path, cookie)).toBe(400);
    expect(backend.seen.length).toBe(before);
  });
});

describe("upstreamPath", () => {
  it.each([
    ["/auth/mfa/challenges/1/verify", "/auth", "/auth/mfa/challenges/1/verify"],
    ["/store/products?q=../x", "/store", "/store/products?q=../x"],
    ["/store", "/store", "/store"],
    ["/AUTH/customer/emailpass", "/auth", "/AUTH/customer/emailpass"],
  ] as const)("%s under %s is kept", (url, prefix, kept) => {
    expect(upstreamPath(url, prefix)).toBe(kept);
  });

  it.each([
    ["/storefront/x", "/store"],
    ["/store/", "/store"],
    ["/authx/mfa", "/auth"],
    ["/auth/mfa/a\\b", "/auth"],
    ["/store/%00", "/store"],
    ["/store/a\u0001b", "/store"],
    ...HOSTILE.map((p): [string, string] => [p, "/auth"]),
  ])("%s under %s is refused", (url: string, prefix: string) => {
    expect(upstreamPath(url, prefix as "/store" | "/auth")).toBeUndefined();
  });
});
