import type { AddressInfo } from "node:net";
import express from "express";
import request from "supertest";
import { signatureHeader } from "../../lib/account/signature.js";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type SessionEvent,
} from "../../lib/index.js";
import { CUSTOMER, SECRET, createClock, signIn, type TestApp } from "../helpers.js";

const SHARED = "back-channel-secret-shared-with-medusa-0123";
const PATH = "/bff/back-channel";

function build(options: { secret?: string | string[]; json?: boolean } = {}) {
  const clock = createClock();
  const events: SessionEvent[] = [];
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async (id) => ({ ...CUSTOMER, id }) },
    sessions: new MemorySessionStore({ sweepInterval: 0, now: clock.now }),
    onEvent: (e) => events.push(e),
    logger: false,
    now: clock.now,
  });
  const app = express();
  if (options.json === true) app.use(express.json());
  app.use(router);
  app.post(PATH, router.backChannel({ secret: options.secret ?? SHARED }));
  app.use(errorHandler());
  return { app, router, clock, events };
}

/** Signs `customerId` in with a token of the clock's time; resolves the cookie pair. */
const login = (t: { app: express.Express; clock: TestApp["clock"] }, customerId = "cus_123") =>
  signIn(t as TestApp, "jest", customerId);

const deletion = (id = "cus_123") => JSON.stringify({ type: "customer.deleted", customer_id: id });

function call(
  app: express.Express,
  body: string,
  { at, secret = SHARED, path = PATH, signedPath = PATH, method = "POST" } = {} as {
    at: number;
    secret?: string;
    path?: string;
    signedPath?: string;
    method?: string;
  },
) {
  const timestamp = Math.floor(at / 1000);
  const signature = signatureHeader(secret, { method, path: signedPath, timestamp, body });
  return request(app)
    .post(path)
    .set("Content-Type", "application/json")
    .set("bff-signature", signature)
    .send(body);
}

describe("router.backChannel()", () => {
  test("a signed customer.deleted ends every session of that customer, reported as customer_deleted", async () => {
    const t = build();
    const { app, router, clock, events } = t;
    const one = await login(t);
    const two = await login(t);
    const other = await login(t, "cus_other");
    expect((await router.listCustomerSessions("cus_123")).length).toBe(2);

    const res = await call(app, deletion(), { at: clock.now() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ended: 2 });
    expect(await router.listCustomerSessions("cus_123")).toEqual([]);
    for (const cookie of [one, two])
      expect((await request(app).get("/auth/session").set("Cookie", cookie)).status).toBe(401);
    expect((await request(app).get("/auth/session").set("Cookie", other)).status).toBe(200);
    const ended = events.filter((e) => e.type === "session.destroyed");
    expect(ended.map((e) => e.type === "session.destroyed" && e.reason)).toEqual([
      "customer_deleted",
      "customer_deleted",
    ]);
  });

  test("refuses an unsigned call with 401, and ends nothing", async () => {
    const t = build();
    const { app, router } = t;
    await login(t);
    const res = await request(app)
      .post(PATH)
      .set("Content-Type", "application/json")
      .send(deletion());
    expect(res.status).toBe(401);
    expect(res.text).toBe("Unauthorized");
    expect((await router.listCustomerSessions("cus_123")).length).toBe(1);
  });

  test.each([
    ["another secret", { secret: "not-the-secret-but-just-as-long-0123456789" }],
    ["another path", { signedPath: "/elsewhere" }],
  ])("refuses a call signed with %s", async (_name, given) => {
    const t = build();
    const { app, router, clock } = t;
    await login(t);
    expect((await call(app, deletion(), { at: clock.now(), ...given })).status).toBe(401);
    expect((await router.listCustomerSessions("cus_123")).length).toBe(1);
  });

  test("refuses a body changed after signing", async () => {
    const t = build();
    const { app, router, clock } = t;
    await login(t);
    const timestamp = Math.floor(clock.now() / 1000);
    const header = signatureHeader(SHARED, {
      method: "POST",
      path: PATH,
      timestamp,
      body: deletion("cus_other"),
    });
    const res = await request(app)
      .post(PATH)
      .set("Content-Type", "application/json")
      .set("bff-signature", header)
      .send(deletion("cus_123"));
    expect(res.status).toBe(401);
    expect((await router.listCustomerSessions("cus_123")).length).toBe(1);
  });

  test.each([
    ["61 s old", -61_000],
    ["61 s ahead", 61_000],
  ])("refuses a call stamped %s, accepts one 59 s old", async (_name, offset) => {
    const t = build();
    const { app, router, clock } = t;
    await login(t);
    expect((await call(app, deletion(), { at: clock.now() + offset })).status).toBe(401);
    expect((await router.listCustomerSessions("cus_123")).length).toBe(1);
    expect((await call(app, deletion(), { at: clock.now() - 59_000 })).status).toBe(200);
  });

  test("refuses the same call a second time (a replay), on any instance", async () => {
    const { app, router, clock } = build();
    const timestamp = Math.floor(clock.now() / 1000);
    const header = signatureHeader(SHARED, {
      method: "POST",
      path: PATH,
      timestamp,
      body: deletion(),
    });
    const send = () =>
      request(app)
        .post(PATH)
        .set("Content-Type", "application/json")
        .set("bff-signature", header)
        .send(deletion());
    expect((await send()).status).toBe(200);
    await login({ app, clock });
    expect((await send()).status).toBe(401);
    expect((await router.listCustomerSessions("cus_123")).length).toBe(1);
  });

  test("accepts any secret of a rotation list", async () => {
    const old = "the-previous-secret-still-accepted-0123456";
    const { app, clock } = build({ secret: [SHARED, old] });
    expect((await call(app, deletion(), { at: clock.now(), secret: old })).status).toBe(200);
  });

  test("works behind express.json() (the signed body is what the parser read)", async () => {
    const t = build({ json: true });
    const { app, router, clock } = t;
    await login(t);
    expect((await call(app, deletion(), { at: clock.now() })).status).toBe(200);
    expect(await router.listCustomerSessions("cus_123")).toEqual([]);
  });

  test("a signed message it does not understand gets 400 invalid_data", async () => {
    const { app, clock } = build();
    const body = JSON.stringify({ type: "customer.updated", customer_id: "cus_123" });
    const res = await call(app, body, { at: clock.now() });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe("invalid_data");
  });

  test.each([[undefined], ["short"], [[]], [["long-enough-secret-0123456789-abcdef", 7]]])(
    "a secret of %p throws a TypeError naming the option",
    (secret) => {
      const { router } = build();
      expect(() => router.backChannel({ secret } as never)).toThrow(/option "backChannel.secret"/);
    },
  );

  test("bff-session/medusa's subscriber ends the sessions through it, over HTTP", async () => {
    const { customerDeletedSubscriber, customerDeletedConfig } = await import("bff-session/medusa");
    const t = build();
    const { app, router, clock } = t;
    await login(t);
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const handler = customerDeletedSubscriber({
        url: `http://127.0.0.1:${port}${PATH}`,
        secret: SHARED,
        now: clock.now,
      });
      expect(customerDeletedConfig).toEqual({ event: "customer.deleted" });
      await handler({
        event: { name: "customer.deleted", data: { id: "cus_123" } },
        container: { resolve: () => undefined },
      });
      expect(await router.listCustomerSessions("cus_123")).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
