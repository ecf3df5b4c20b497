import { inspect } from "node:util";
import request from "supertest";
import type { Logger } from "../lib/index.js";
import { buildApp, cookiePair, setCookie, signToken } from "./helpers.js";

// Logs and events carry ids only: never a token, a cookie value or claims beyond ids.
it("nothing logged or reported contains a token, a cookie value or claims", async () => {
  const lines: unknown[] = [];
  const errors: string[] = [];
  const logger: Logger = {
    debug: (obj, msg) => lines.push([obj, msg]),
    warn: (obj, msg) => lines.push([obj, msg]),
    error: (obj, msg) => {
      lines.push([obj, msg]);
      errors.push(String(msg));
    },
  };
  const t = buildApp({ logger });
  const secretClaim = "private-app-metadata-value";
  const token = await signToken(t.clock, { app_metadata: { note: secretClaim } });
  const login = await request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
  const cookie = cookiePair(setCookie(login.headers));
  await request(t.app).get("/store/customers/me").set("Cookie", cookie);
  await request(t.app)
    .post("/auth/session")
    .set("Authorization", `Bearer ${token.slice(0, -2)}xx`);
  jest.spyOn(t.store.inner, "get").mockRejectedValueOnce(new Error("store down"));
  await request(t.app).get("/store/customers/me").set("Cookie", cookie);
  t.retrieve.mockRejectedValueOnce(new Error("unexpected"));
  await request(t.app).post("/auth/session").set("Authorization", `Bearer ${token}`);
  await request(t.app).delete("/auth/session").set("Cookie", cookie);
  await request(t.app).get("/store/customers/me");

  // Only real failures are errors: the store outage and the customer store's unexpected
  // throw. A refused token or a request without a session is not.
  expect(errors).toEqual(["bff-session: session store failed", "bff-session: request failed"]);

  const everything = inspect([lines, t.events], { depth: 10 });
  // The log did capture the errors in depth, so the checks below look at real content.
  expect(everything).toContain("store down");
  expect(everything).toContain("unexpected");
  for (const secret of [
    token,
    token.split(".")[1]!,
    token.split(".")[2]!,
    cookie.split("=")[1]!,
    secretClaim,
  ]) {
    expect(everything).not.toContain(secret);
  }
  expect(everything).toContain("cus_123");
});
