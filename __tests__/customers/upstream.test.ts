import type { Server } from "node:http";
import { inspect } from "node:util";
import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import { upstreamCustomerStore } from "../../lib/index.js";
import {
  buildApp,
  cookiePair,
  createClock,
  CUSTOMER,
  setCookie,
  signToken,
  type TestApp,
} from "../helpers.js";

/** A stand-in for the commerce backend's Store API, on a real socket. */
function backend() {
  const seen: Array<{ authorization?: string; key?: string; fields?: unknown }> = [];
  let mode:
    | "ok"
    | "401"
    | "404"
    | "500"
    | "slow"
    | "not-json"
    | "409"
    | "other-customer"
    | "bad-key"
    | "400"
    | "403" = "ok";
  const app = express();
  app.get("/store/customers/me", (req, res) => {
    seen.push({
      authorization: req.headers.authorization,
      key: req.headers["x-publishable-api-key"] as string,
      fields: req.query.fields,
    });
    if (mode === "401") return void res.status(401).send("Unauthorized");
    if (mode === "404")
      return void res.status(404).json({ type: "not_found", message: "Customer not found" });
    if (mode === "500")
      return void res
        .status(500)
        .json({ type: "database_error", message: "relation customer does not exist" });
    if (mode === "bad-key")
      return void res.status(400).json({
        type: "not_allowed",
        message: "A valid publishable key is required to proceed with the request",
      });
    if (mode === "400")
      return void res.status(400).json({ type: "invalid_data", message: "Invalid fields" });
    if (mode === "403") return void res.status(403).json({ type: "forbidden", message: "No" });
    if (mode === "409") return void res.status(409).json({ type: "conflict", message: "busy" });
    if (mode === "not-json") return void res.status(200).type("text/html").send("<html>");
    // Past the 200 ms timeout by more than undici's timer granularity (about a second).
    if (mode === "slow") return void setTimeout(() => res.json({ customer: CUSTOMER }), 1500);
    if (mode === "other-customer")
      return void res.json({ customer: { ...CUSTOMER, id: "cus_other" } });
    res.json({ customer: CUSTOMER });
  });
  return { app, seen, setMode: (m: typeof mode) => (mode = m) };
}

describe("upstreamCustomerStore()", () => {
  let server: Server;
  let baseUrl: string;
  const upstream = backend();
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = upstream.app.listen(0, "127.0.0.1", () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    upstream.setMode("ok");
    upstream.seen.length = 0;
  });

  function app(): TestApp {
    return buildApp(
      {
        customers: upstreamCustomerStore({
          baseUrl,
          publishableKey: "pk_test",
          timeout: 200,
          fields: "*addresses",
        }),
        token: { keep: true },
        now: Date.now,
      },
      createClock(Date.now()),
    );
  }
  const login = async (t: TestApp) =>
    request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);

  it("reads the customer as the customer, with the publishable key, on login and on GET", async () => {
    const t = app();
    const res = await login(t);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe("cus_123");
    expect(res.body.user).not.toHaveProperty("password_hash");
    const cookie = cookiePair(setCookie(res.headers));
    expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(200);
    expect(upstream.seen).toHaveLength(2);
    for (const call of upstream.seen) {
      expect(call.authorization).toMatch(/^Bearer eyJ/);
      expect(call.key).toBe("pk_test");
      expect(call.fields).toBe("*addresses");
    }
    expect(upstream.seen[1]!.authorization).toBe(upstream.seen[0]!.authorization);
  });

  it.each([
    ["401", 401, "Unauthorized"],
    ["404", 404, { message: "Customer with id: cus_123 was not found", type: "not_found" }],
    ["409", 409, { code: "unknown_error", type: "conflict" }],
    ["500", 502, { message: "The commerce backend is unavailable.", type: "unexpected_state" }],
    ["slow", 504, { message: "The commerce backend is unavailable.", type: "unexpected_state" }],
    [
      "not-json",
      502,
      { message: "The commerce backend is unavailable.", type: "unexpected_state" },
    ],
    [
      "other-customer",
      502,
      { message: "The commerce backend is unavailable.", type: "unexpected_state" },
    ],
  ] as const)("maps upstream %s to %d", async (mode, status, body) => {
    const t = app();
    upstream.setMode(mode);
    const res = await login(t);
    expect(res.status).toBe(status);
    if (typeof body === "string") expect(res.text).toBe(body);
    else expect(res.body).toMatchObject(body);
    expect(res.text).not.toContain("relation customer");
    expect(setCookie(res.headers)).toBeUndefined();
  });

  // A fault of the BFF's configuration or of the backend is a server error with an event and a
  // log line saying why; the backend's text (about API keys, fields) never reaches the browser.
  it.each([
    ["bad-key", 502, "400 not_allowed: A valid publishable key"],
    ["400", 502, "400 invalid_data"],
    ["403", 502, "403 forbidden"],
    ["500", 502, "500 database_error"],
    ["slow", 504, "did not answer in time"],
    ["not-json", 502, "another customer"],
  ] as const)(
    "upstream %s → %d, a customer.error event and a log line",
    async (mode, status, why) => {
      const logged: unknown[] = [];
      const t = buildApp(
        {
          customers: upstreamCustomerStore({ baseUrl, publishableKey: "pk_wrong", timeout: 200 }),
          token: { keep: true },
          now: Date.now,
          logger: { debug() {}, warn() {}, error: (obj, msg) => logged.push([msg, obj]) },
        },
        createClock(Date.now()),
      );
      upstream.setMode(mode);
      const res = await login(t);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({
        message: "The commerce backend is unavailable.",
        type: "unexpected_state",
      });
      const events = t.events.filter((e) => e.type === "customer.error");
      expect(events).toHaveLength(1);
      expect((events[0] as { error: Error }).error.message).toContain(why);
      expect(inspect(logged, { depth: 5 })).toContain(why);
    },
  );

  it("a backend that is not listening → 502 unexpected_state, with an event", async () => {
    const t = buildApp(
      {
        customers: upstreamCustomerStore({ baseUrl: "http://127.0.0.1:1" }),
        token: { keep: true },
        now: Date.now,
      },
      createClock(Date.now()),
    );
    const res = await login(t);
    expect(res.status).toBe(502);
    expect(res.body.type).toBe("unexpected_state");
    expect(t.events.map((e) => e.type)).toContain("customer.error");
  });

  it("ends the session when the backend no longer knows the customer", async () => {
    const t = app();
    const cookie = cookiePair(setCookie((await login(t)).headers));
    upstream.setMode("404");
    expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
    upstream.setMode("ok");
    expect((await request(t.app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
  });

  it("is refused at setup without token.keep, and with a bad baseUrl", () => {
    expect(() => buildApp({ customers: upstreamCustomerStore({ baseUrl }) })).toThrow(
      /token\.keep/,
    );
    expect(() => upstreamCustomerStore({ baseUrl: "not a url" })).toThrow(/baseUrl/);
    expect(() => upstreamCustomerStore({ baseUrl: "ftp://x" })).toThrow(/baseUrl/);
    expect(() => upstreamCustomerStore({ baseUrl, timeout: 0 })).toThrow(/timeout/);
  });
});
