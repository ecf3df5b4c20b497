/**
 * accountChanges on its own: how the router's resolved options reach the account changes. A
 * kept token's claims (by the configured customer claim) become identity records under
 * `secrets.hash` for `session.absoluteTimeout`; a password update ends what those records
 * name; the back-channel judges calls by the router's clock.
 */
import express, { type Request } from "express";
import { SignJWT, type JWTPayload } from "jose";
import request from "supertest";
import { accountChanges } from "../../lib/account/account-changes.js";
import { AccountIdentities } from "../../lib/account/identities.js";
import { signatureHeader } from "../../lib/account/signature.js";
import { errorHandler } from "../../lib/errors/error-handler.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import type { SessionRouterOptions } from "../../lib/options/types.js";
import { hmacSecret } from "../../lib/token/keys/hmac-secret.js";
import { createClock, SECRET } from "../helpers.js";
import { wireSessions } from "../support/sessions.js";

const LIMITS_SECRET = "limits-secret-keying-the-identity-records!";
const COOKIE_SECRET = "cookie-secret-signing-the-session-cookie!";
const BACK_CHANNEL = "back-channel-secret-shared-with-medusa-0123";
const PATH = "/bff/back-channel";
const EMAIL = "jane@example.com";
const HOUR = 3_600_000;

function build(patch: Partial<SessionRouterOptions> = {}) {
  const clock = createClock();
  const options = resolveOptions({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async () => null },
    cookie: { secret: COOKIE_SECRET },
    upstream: { baseUrl: "http://127.0.0.1:9000", signInLimits: { secret: LIMITS_SECRET } },
    session: { absoluteTimeout: "2h", idleTimeout: "30m" },
    now: clock.now,
    ...patch,
  });
  const { store, guarded, events, report, logger, sessions, policy, failure } = wireSessions(
    options,
    clock.now,
  );
  const changes = accountChanges({
    sessions,
    store: guarded,
    options,
    policy,
    failure,
    report,
    logger,
  });
  /** Reads the identity records as another instance keyed with `secret` would. */
  const recordsUnder = (secret: string) =>
    new AccountIdentities({ store: guarded, secret, lifetime: HOUR, now: clock.now, report });
  const start = (customerId: string, pending = false) =>
    sessions.start(customerId, { headers: {} } as Request, { pending });
  const live = async (customerId: string) => (await sessions.list(customerId)).length;
  return { changes, sessions, store, clock, events, logger, options, recordsUnder, start, live };
}

type Built = ReturnType<typeof build>;

/** A token as the backend signs it at the clock's time, with `claims` over a customer's. */
const token = (t: Built, claims: JWTPayload = {}, secret = SECRET) => {
  const iat = t.clock.seconds();
  return new SignJWT({
    actor_id: "cus_123",
    actor_type: "customer",
    auth_identity_id: "authid_1",
    ...claims,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .sign(new TextEncoder().encode(secret));
};

/** A reset token as Medusa issues it: it names the identity, never the customer. */
const resetToken = (t: Built, claims: JWTPayload = {}, secret = SECRET) =>
  token(
    t,
    {
      actor_id: undefined,
      auth_identity_id: undefined,
      entity_id: EMAIL,
      purpose: "reset",
      ...claims,
    },
    secret,
  );

describe("signedIn()", () => {
  it("remembers the identifier's identity and customer under secrets.hash", async () => {
    const t = build();
    expect(t.options.secrets.hash).toBe(LIMITS_SECRET);
    await t.changes.signedIn("emailpass", EMAIL, await token(t));
    await expect(t.recordsUnder(LIMITS_SECRET).find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: "cus_123",
    });
    await expect(t.recordsUnder(COOKIE_SECRET).find("emailpass", EMAIL)).resolves.toBeUndefined();
  });

  it("remembers the identifier exactly as sent", async () => {
    const t = build();
    await t.changes.signedIn("emailpass", " Jane@Example.com", await token(t));
    const records = t.recordsUnder(LIMITS_SECRET);
    await expect(records.find("emailpass", " Jane@Example.com")).resolves.toBeDefined();
    await expect(records.find("emailpass", EMAIL)).resolves.toBeUndefined();
  });

  it("reads the customer from token.customerIdClaim", async () => {
    const t = build({ token: { customerIdClaim: "customer_id" } });
    await t.changes.signedIn("emailpass", EMAIL, await token(t, { customer_id: "cus_9" }));
    await expect(t.recordsUnder(LIMITS_SECRET).find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: "cus_9",
    });
  });

  it.each<[string, JWTPayload]>([
    ["naming no customer yet", { actor_id: "" }],
    ["whose customer claim is not a string", { actor_id: 123 }],
  ])("a token %s keeps the identity only", async (_case, claims) => {
    const t = build();
    await t.changes.signedIn("emailpass", EMAIL, await token(t, claims));
    await expect(t.recordsUnder(LIMITS_SECRET).find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: undefined,
    });
    expect(t.events).toEqual([]);
  });

  it.each<[string, JWTPayload]>([
    ["no auth_identity_id", { auth_identity_id: undefined }],
    ["an auth_identity_id that is not a string", { auth_identity_id: 7 }],
  ])("a token with %s writes nothing", async (_case, claims) => {
    const t = build();
    const setRecord = jest.spyOn(t.store, "setRecord");
    await t.changes.signedIn("emailpass", EMAIL, await token(t, claims));
    expect(setRecord).not.toHaveBeenCalled();
  });

  it("keeps the records for session.absoluteTimeout, by the router's clock", async () => {
    const t = build();
    const setRecord = jest.spyOn(t.store, "setRecord");
    await t.changes.signedIn("emailpass", EMAIL, await token(t));
    expect(setRecord.mock.calls.map(([, , until]) => until)).toEqual([
      t.clock.now() + 2 * HOUR,
      t.clock.now() + 2 * HOUR,
    ]);
  });
});

describe("passwordUpdated()", () => {
  it("ends the remembered customer's sessions and the identity's pending ones; resolves how many", async () => {
    const t = build();
    await t.start("cus_123");
    await t.start("cus_123");
    const pending = await t.start("authid_1", true);
    await t.start("cus_other");
    await t.changes.signedIn("emailpass", EMAIL, await token(t));

    await expect(t.changes.passwordUpdated("emailpass", await resetToken(t))).resolves.toBe(3);
    expect(await t.live("cus_123")).toBe(0);
    await expect(t.store.get(pending.id)).resolves.toBeNull();
    expect(await t.live("cus_other")).toBe(1);
    const ended = t.events.filter((e) => e.type === "session.destroyed");
    expect(ended.map((e) => e.type === "session.destroyed" && e.reason)).toEqual([
      "password_changed",
      "password_changed",
      "password_changed",
    ]);
  });

  it("looks the identity up under the provider it is given", async () => {
    const t = build();
    await t.start("cus_123");
    await t.changes.signedIn("emailpass", EMAIL, await token(t));
    const reset = await resetToken(t);
    await expect(t.changes.passwordUpdated("phonepass", reset)).resolves.toBe(0);
    await expect(t.changes.passwordUpdated("emailpass", reset)).resolves.toBe(1);
  });

  it("verifies the reset token with the router's keys: another key's ends nothing, with a warning", async () => {
    const t = build();
    await t.start("cus_123");
    await t.changes.signedIn("emailpass", EMAIL, await token(t));
    const forged = await resetToken(t, {}, "another-secret-that-is-at-least-32-bytes");
    await expect(t.changes.passwordUpdated("emailpass", forged)).resolves.toBe(0);
    expect(await t.live("cus_123")).toBe(1);
    expect(t.logger.warn).toHaveBeenCalledTimes(1);
  });

  it("ends nothing without a reset token", async () => {
    const t = build();
    await t.start("cus_123");
    await t.changes.signedIn("emailpass", EMAIL, await token(t));
    await expect(t.changes.passwordUpdated("emailpass", undefined)).resolves.toBe(0);
    expect(await t.live("cus_123")).toBe(1);
  });
});

describe("a sign-in completed by a later step (MFA, verification)", () => {
  /** 09:00 the password step (no customer yet); 09:30 the MFA step starts the customer's session. */
  async function signInWithMfa(t: Built) {
    const pending = await t.start("authid_1", true);
    await t.changes.signedIn("emailpass", EMAIL, await token(t, { actor_id: "" }));
    t.clock.advance(HOUR / 2);
    await t.sessions.end(pending.id, "authid_1", "replaced");
    await t.start("cus_123");
    await t.changes.signedIn("emailpass", undefined, await token(t));
  }

  it.each([
    ["10:50", 20],
    ["11:10, after the password step's own lifetime", 40],
  ])(
    "at %s a password update ends the session the MFA step began (alive until 11:30)",
    async (_at, minutesPast10) => {
      const t = build({ session: { absoluteTimeout: "2h", idleTimeout: "2h" } });
      await signInWithMfa(t);
      t.clock.advance(HOUR + minutesPast10 * 60_000);
      expect(await t.live("cus_123")).toBe(1);
      await expect(t.changes.passwordUpdated("emailpass", await resetToken(t))).resolves.toBe(1);
      expect(await t.live("cus_123")).toBe(0);
    },
  );
});

describe("backChannel()", () => {
  const deletion = JSON.stringify({ type: "customer.deleted", customer_id: "cus_123" });

  function app(t: Built) {
    const server = express();
    server.post(PATH, t.changes.backChannel({ secret: BACK_CHANNEL }));
    server.use(errorHandler());
    return server;
  }

  /** The call the Medusa side makes, stamped `at` ms (the clock's time by default). */
  function call(server: express.Express, at: number) {
    const timestamp = Math.floor(at / 1000);
    const header = signatureHeader(BACK_CHANNEL, {
      method: "POST",
      path: PATH,
      timestamp,
      body: deletion,
    });
    return request(server)
      .post(PATH)
      .set("Content-Type", "application/json")
      .set("bff-signature", header)
      .send(deletion);
  }

  it("ends the customer's sessions, each reported as customer_deleted", async () => {
    const t = build();
    await t.start("cus_123");
    await t.start("cus_123");
    const res = await call(app(t), t.clock.now());
    expect([res.status, res.body]).toEqual([200, { ended: 2 }]);
    expect(await t.live("cus_123")).toBe(0);
    const ended = t.events.filter((e) => e.type === "session.destroyed");
    expect(ended.map((e) => e.type === "session.destroyed" && e.reason)).toEqual([
      "customer_deleted",
      "customer_deleted",
    ]);
  });

  it("judges a call's age by the router's clock: 60 s either way is accepted, 61 s is stale", async () => {
    const t = build();
    const server = app(t);
    expect((await call(server, t.clock.now() - 60_000)).status).toBe(200);
    expect((await call(server, t.clock.now() + 60_000)).status).toBe(200);
    expect((await call(server, t.clock.now() - 61_000)).status).toBe(401);
    expect((await call(server, t.clock.now() + 61_000)).status).toBe(401);
    expect(t.logger.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({ reason: "stale" }),
      expect.any(String),
    );
  });

  it("refuses a replay through the store, and logs why", async () => {
    const t = build();
    await t.start("cus_123");
    const server = app(t);
    const header = signatureHeader(BACK_CHANNEL, {
      method: "POST",
      path: PATH,
      timestamp: t.clock.seconds(),
      body: deletion,
    });
    const send = () =>
      request(server)
        .post(PATH)
        .set("Content-Type", "application/json")
        .set("bff-signature", header)
        .send(deletion);
    expect((await send()).status).toBe(200);
    await t.start("cus_123");
    expect((await send()).status).toBe(401);
    expect(await t.live("cus_123")).toBe(1);
    expect(t.logger.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({ reason: "replayed" }),
      expect.any(String),
    );
  });
});
