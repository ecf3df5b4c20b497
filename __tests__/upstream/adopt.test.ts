/**
 * adopter() and issuedTokenVerifier(): a token the backend just issued starts a new session
 * (a customer's, or a pending one under its auth identity), the browser's previous session
 * ends, the browser gets a stand-in and a cookie, and a customer's cart follows; a token that
 * does not verify with `keys` is the BFF's misconfiguration, a 500.
 */
import express from "express";
import request from "supertest";
import { TokenRejectedError } from "../../lib/errors/errors.js";
import { errorHandler, hmacSecret, StoreApiError } from "../../lib/index.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import { OpenedTokens } from "../../lib/session/customer-token.js";
import { sessionIdFor } from "../../lib/session/session-token.js";
import type { TokenPolicy } from "../../lib/token/verify-token.js";
import { adopter, issuedTokenVerifier } from "../../lib/upstream/adopt.js";
import type { CartHooks } from "../../lib/upstream/cart-holder.js";
import { matchesStandIn, STAND_IN_MS } from "../../lib/upstream/stand-in.js";
import { cookiePair, createClock, SECRET, setCookie, signToken, START } from "../helpers.js";
import { makeSessions } from "../support/sessions.js";

const HOUR = 3_600_000;

/** adopt() behind POST /sign-in, the token in X-Issued; `cart: false` builds it without cart rules. */
function setup({ cart = true }: { cart?: boolean } = {}) {
  const t = makeSessions({ tokenCapsSession: false });
  const options = resolveOptions({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async () => null },
    now: t.clock.now,
  });
  const policy: TokenPolicy = { ...options.token, keys: options.keys, now: t.clock.now };
  const hooks = { signedIn: jest.fn(async () => {}), signedOut: jest.fn(async () => {}) };
  /** When each auth identity's password was changed through the BFF. */
  const changed = new Map<string, number>();
  const adopt = adopter(
    { sessions: t.sessions, options, policy, cart: cart ? (hooks as CartHooks) : undefined },
    (event) => void t.events.push(event),
    issuedTokenVerifier(policy, t.logger),
    async ({ authIdentityId, identifier }, since) =>
      Math.max(
        changed.get(authIdentityId ?? "") ?? -Infinity,
        changed.get(identifier ?? "") ?? -Infinity,
      ) >= since,
  );
  const app = express();
  app.post("/sign-in", async (req, res, next) => {
    try {
      const since = Number(req.headers["x-since"] ?? t.clock.now());
      const acting = req.headers["x-acting-as"];
      const actingAs = typeof acting === "string" ? { id: acting } : undefined;
      const identifier = req.headers["x-identifier"];
      const account = {
        provider: "emailpass",
        identifier: typeof identifier === "string" ? identifier : undefined,
      };
      res.json({
        token: await adopt(req, res, String(req.headers["x-issued"]), { since, actingAs, account }),
      });
    } catch (error) {
      next(error);
    }
  });
  app.use(errorHandler({ onError: false }));
  const signIn = (token: string, cookie?: string, headers: Record<string, string> = {}) => {
    const req = request(app).post("/sign-in").set("X-Issued", token).set(headers);
    return cookie === undefined ? req : req.set("Cookie", cookie);
  };
  return { ...t, options, policy, hooks, signIn, changed };
}

/** The session token a sign-in's cookie holds. */
const cookieToken = (res: request.Response) => cookiePair(setCookie(res.headers)).split("=")[1]!;

describe("adopter", () => {
  it("a customer's token starts a session: the token sealed in it, a stand-in in its place, signin.succeeded", async () => {
    const t = setup();
    const jwt = await signToken(t.clock);
    const res = await t.signIn(jwt);
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^bffsi_[A-Za-z0-9_-]{43}$/);
    expect(setCookie(res.headers)).toMatch(/^bff\.sid=[A-Za-z0-9_-]{43}; .*Max-Age=36000$/);
    const id = sessionIdFor(cookieToken(res));
    const record = (await t.store.get(id))!;
    expect(record).toMatchObject({
      customerId: "cus_123",
      tokenIssuedAt: START,
      tokenExpiresAt: START + HOUR,
      standInExpiresAt: START + STAND_IN_MS,
    });
    expect(record.pending).toBeUndefined();
    expect(record.token).not.toContain(jwt);
    expect(new OpenedTokens().open(record, cookieToken(res))).toBe(jwt);
    expect(matchesStandIn(record, res.body.token, t.clock.now())).toBe(true);
    expect(t.events).toEqual([
      { type: "session.created", sessionId: id, customerId: "cus_123" },
      { type: "signin.succeeded", sessionId: id, customerId: "cus_123", pending: false },
    ]);
  });

  it("the customer's cart follows: the cart rules get the session, the customer, the token and the session's deadline", async () => {
    const t = setup();
    const jwt = await signToken(t.clock);
    const res = await t.signIn(jwt);
    const id = sessionIdFor(cookieToken(res));
    const record = (await t.store.get(id))!;
    expect(t.hooks.signedIn).toHaveBeenCalledTimes(1);
    expect(t.hooks.signedIn).toHaveBeenCalledWith(expect.anything(), expect.anything(), {
      sessionId: id,
      customerId: "cus_123",
      token: jwt,
      until: record.absoluteExpiresAt,
    });
  });

  it("without cart rules a customer's session starts all the same", async () => {
    const t = setup({ cart: false });
    const res = await t.signIn(await signToken(t.clock));
    expect(res.status).toBe(200);
    expect(await t.store.get(sessionIdFor(cookieToken(res)))).toMatchObject({
      customerId: "cus_123",
    });
  });

  it("a token that names no customer yet starts a pending session under its auth identity, and moves no cart", async () => {
    const t = setup();
    const res = await t.signIn(await signToken(t.clock, { actor_id: "" }));
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^bffsi_/);
    const id = sessionIdFor(cookieToken(res));
    expect(await t.store.get(id)).toMatchObject({ customerId: "authid_1", pending: true });
    expect(t.events).toContainEqual({
      type: "signin.succeeded",
      sessionId: id,
      customerId: "authid_1",
      pending: true,
    });
    expect(t.hooks.signedIn).not.toHaveBeenCalled();
  });

  it("the session the browser brought along ends (replaced): its id is never carried on", async () => {
    const t = setup();
    const previous = await t.sessions.start("cus_123", t.request());
    t.events.length = 0;
    const res = await t.signIn(await signToken(t.clock), `bff.sid=${previous.token}`);
    expect(res.status).toBe(200);
    expect(cookieToken(res)).not.toBe(previous.token);
    expect(await t.store.get(previous.id)).toBeNull();
    expect(t.events[0]).toEqual({
      type: "session.destroyed",
      sessionId: previous.id,
      customerId: undefined,
      reason: "replaced",
    });
    expect(await t.store.get(sessionIdFor(cookieToken(res)))).toMatchObject({
      customerId: "cus_123",
    });
  });

  it("a pending token without an auth identity starts nothing: 500 unexpected_state, the browser's session kept", async () => {
    const t = setup();
    const previous = await t.sessions.start("cus_123", t.request());
    t.events.length = 0;
    const token = await signToken(t.clock, { actor_id: "", auth_identity_id: undefined });
    const res = await t.signIn(token, `bff.sid=${previous.token}`);
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("unexpected_state");
    expect(setCookie(res.headers)).toBeUndefined();
    expect(await t.store.get(previous.id)).not.toBeNull();
    expect(t.events).toEqual([]);
    expect(t.hooks.signedIn).not.toHaveBeenCalled();
  });

  it("a password changed through the BFF while the sign-in was under way: the session it started ends, 401", async () => {
    const t = setup();
    const began = t.clock.now();
    t.clock.advance(100);
    t.changed.set("authid_1", t.clock.now());
    const res = await t.signIn(
      await signToken(t.clock, { auth_identity_id: "authid_1" }),
      undefined,
      {
        "X-Since": String(began),
      },
    );
    expect(res.status).toBe(401);
    expect(setCookie(res.headers)).toBeUndefined();
    expect(await t.sessions.list("cus_123")).toHaveLength(0);
    expect(t.events.map((e) => e.type)).toEqual(["session.created", "session.destroyed"]);
    expect(t.events[1]).toMatchObject({ reason: "password_changed" });
    expect(t.hooks.signedIn).not.toHaveBeenCalled();
  });

  it("the identifier the sign-in named, marked by the update, stops it too (no identity mapped yet)", async () => {
    const t = setup();
    const began = t.clock.now();
    t.clock.advance(100);
    t.changed.set("jane@example.com", t.clock.now());
    const res = await t.signIn(await signToken(t.clock), undefined, {
      "X-Since": String(began),
      "X-Identifier": "jane@example.com",
    });
    expect(res.status).toBe(401);
    expect(await t.sessions.list("cus_123")).toHaveLength(0);
  });

  it("a password changed before the sign-in began does not stop it", async () => {
    const t = setup();
    t.changed.set("authid_1", t.clock.now());
    t.clock.advance(1);
    const res = await t.signIn(await signToken(t.clock, { auth_identity_id: "authid_1" }));
    expect(res.status).toBe(200);
    expect(await t.sessions.list("cus_123")).toHaveLength(1);
  });

  it("a step sent as a session that ended meanwhile starts nothing: 401", async () => {
    const t = setup();
    const res = await t.signIn(await signToken(t.clock), undefined, { "X-Acting-As": "gone" });
    expect(res.status).toBe(401);
    expect(t.events).toEqual([]);
  });

  it("a token that does not verify starts nothing and ends nothing", async () => {
    const t = setup();
    const previous = await t.sessions.start("cus_123", t.request());
    t.events.length = 0;
    const res = await t.signIn(
      await signToken(t.clock, {}, { secret: "another-secret-that-is-at-least-32-bytes" }),
      `bff.sid=${previous.token}`,
    );
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("unexpected_state");
    expect(await t.store.get(previous.id)).not.toBeNull();
    expect(t.events).toEqual([]);
  });
});

describe("issuedTokenVerifier", () => {
  it("resolves the claims and the customer of a token signed with `keys`", async () => {
    const t = setup();
    const verify = issuedTokenVerifier(t.policy, t.logger);
    const verified = await verify(await signToken(t.clock));
    expect(verified.customerId).toBe("cus_123");
    expect(verified.claims).toMatchObject({
      auth_identity_id: "authid_1",
      exp: START / 1000 + 3600,
    });
  });

  it("accepts a token that names no customer yet (registration, MFA), with an empty customer", async () => {
    const t = setup();
    const verify = issuedTokenVerifier(t.policy, t.logger);
    const verified = await verify(await signToken(t.clock, { actor_id: "" }));
    expect(verified.customerId).toBe("");
  });

  it.each<[string, (clock: ReturnType<typeof createClock>) => Promise<string>]>([
    [
      "signed with another secret",
      (clock) => signToken(clock, {}, { secret: "another-secret-that-is-at-least-32-bytes" }),
    ],
    ["that has expired", (clock) => signToken(createClock(clock.now() - 2 * HOUR))],
    ["that is no JWT at all", async () => "not-a-token"],
  ])(
    "a token %s is the BFF's misconfiguration: unexpected_state (never a 401), and an error in the log",
    async (_, make) => {
      const t = setup();
      const verify = issuedTokenVerifier(t.policy, t.logger);
      const error = await verify(await make(t.clock)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreApiError);
      expect(error).toMatchObject({ type: "unexpected_state" });
      expect(t.logger.error).toHaveBeenCalledTimes(1);
      expect(t.logger.error).toHaveBeenCalledWith(
        { err: expect.any(TokenRejectedError) },
        expect.stringContaining("`keys`"),
      );
    },
  );
});
