import express from "express";
import request from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type SessionEvent,
  type SessionRouterOptions,
  type SessionStore,
} from "../../lib/index.js";
import { SignJWT } from "jose";
import { SECRET } from "../helpers.js";
import { RIGHT, passwordSignIn } from "../upstream/bff.js";
import { stubBackend } from "../upstream/stub-backend.js";

const backend = stubBackend();
beforeAll(() => backend.start());
afterAll(() => backend.stop());

const COOKIE_SECRET = "cookie-secret-shared-by-every-instance-0123";

/** Two BFF instances in front of the stub backend, sharing one store (as Redis would be). */
function instances(
  store: SessionStore = new MemorySessionStore({ sweepInterval: 0 }),
  timeout: NonNullable<SessionRouterOptions["upstream"]>["timeout"] = 2,
) {
  const events: SessionEvent[] = [];
  const build = () => {
    const router = createSessionRouter({
      keys: hmacSecret(SECRET),
      sessions: store,
      cookie: { secret: COOKIE_SECRET },
      upstream: { baseUrl: backend.url, publishableKey: "pk_bff", timeout },
      onEvent: (e) => events.push(e),
      logger: false,
    });
    const app = express();
    app.use(router);
    app.use(errorHandler());
    return app;
  };
  return { a: build(), b: build(), events };
}

/** A reset token as Medusa 2.21.2 issues it (generateResetPasswordTokenWorkflow). */
const resetToken = (entityId: string, secret = SECRET) =>
  new SignJWT({
    entity_id: entityId,
    provider: "emailpass",
    actor_type: "customer",
    purpose: "reset",
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("15m")
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(secret));

const update = (app: express.Express, token: string) =>
  request(app)
    .post("/auth/customer/emailpass/update")
    .set("Authorization", `Bearer ${token}`)
    .send({ password: "new-password" });

const live = async (app: express.Express, cookie: string) =>
  (await request(app).get("/auth/session").set("Cookie", cookie)).status === 200;

const ended = (events: SessionEvent[], reason: string) =>
  events.filter((e) => e.type === "session.destroyed" && e.reason === reason);

describe("a password update through the BFF", () => {
  test("ends every session of the account, on every instance, each reported as password_changed", async () => {
    const { a, b, events } = instances();
    const first = await passwordSignIn(a);
    const second = await passwordSignIn(b);
    expect(await live(a, first)).toBe(true);
    expect(await live(b, second)).toBe(true);

    const res = await update(b, await resetToken(RIGHT.email));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(await live(a, first)).toBe(false);
    expect(await live(b, second)).toBe(false);
    const reported = ended(events, "password_changed");
    expect(reported).toHaveLength(2);
    expect(
      reported.every((e) => e.type === "session.destroyed" && e.customerId === "cus_123"),
    ).toBe(true);
  });

  test("a look-alike account (another case, spaces) is another identity: its reset ends nothing here", async () => {
    const { a, events } = instances();
    const cookie = await passwordSignIn(a);
    // The backend keeps e-mails as given: ` Jo@Example.COM ` is not jo@example.com's identity.
    const res = await update(a, await resetToken(` ${RIGHT.email.toUpperCase()} `));
    expect(res.status).toBe(200);
    expect(await live(a, cookie)).toBe(true);
    expect(ended(events, "password_changed")).toHaveLength(0);
  });

  test("leaves the sessions alone when the backend refuses the update", async () => {
    const { a, events } = instances();
    const cookie = await passwordSignIn(a);
    const res = await update(
      a,
      await resetToken(RIGHT.email, "another-secret-that-is-at-least-32-bytes"),
    );
    expect(res.status).toBe(401);
    expect(await live(a, cookie)).toBe(true);
    expect(ended(events, "password_changed")).toHaveLength(0);
  });

  test("ends nothing for another account, nor for one that never signed in through the BFF", async () => {
    const { a, events } = instances();
    const cookie = await passwordSignIn(a);
    expect((await update(a, await resetToken("someone-else@example.com"))).status).toBe(200);
    expect(await live(a, cookie)).toBe(true);
    expect(ended(events, "password_changed")).toHaveLength(0);
  });

  test("the fixed test token of the backend (not a JWT the BFF can read) ends nothing", async () => {
    const { a } = instances();
    const cookie = await passwordSignIn(a);
    expect((await update(a, "reset-token-from-email")).status).toBe(200);
    expect(await live(a, cookie)).toBe(true);
  });

  test("finds the account of a sign-in completed by MFA", async () => {
    const { a, events } = instances();
    const start = await request(a)
      .post("/auth/customer/emailpass")
      .send({ email: "mfa@example.com", password: "right-password" });
    expect(start.status).toBe(200);
    const pending = String(start.headers["set-cookie"]![0]).split(";")[0]!;
    const verified = await request(a)
      .post("/auth/mfa/challenges/authmfachal_1/verify")
      .set("Cookie", pending)
      .send({ code: "123456" });
    expect(verified.status).toBe(200);
    const cookie = String(verified.headers["set-cookie"]![0]).split(";")[0]!;
    expect(await live(a, cookie)).toBe(true);

    expect((await update(a, await resetToken("mfa@example.com"))).status).toBe(200);
    expect(await live(a, cookie)).toBe(false);
    expect(ended(events, "password_changed")).toHaveLength(1);
  });

  describe("when the update's outcome reaches the BFF late or not at all", () => {
    afterEach(() => {
      backend.state.delays = { signIn: 0, update: 0, mfaVerify: 0 };
    });
    const until = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await check()); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };

    test("a browser that leaves during the update: the update goes on, and the sessions end", async () => {
      const { a, events } = instances();
      const cookie = await passwordSignIn(a);
      backend.state.delays.update = 300;
      const before = backend.state.updated;
      const token = await resetToken(RIGHT.email);
      await expect(update(a, token).timeout(50)).rejects.toThrow(/Timeout/);
      await until(async () => !(await live(a, cookie)));
      expect(backend.state.updated).toBe(before + 1);
      expect(await live(a, cookie)).toBe(false);
      expect(ended(events, "password_changed")).toHaveLength(1);
    });

    test("a backend that does not answer in time: 504, and the sessions end all the same", async () => {
      const { a, events } = instances(undefined, "300ms");
      const cookie = await passwordSignIn(a);
      // undici checks its timeouts about once a second: the backend stays well past both.
      backend.state.delays.update = 2500;
      const res = await update(a, await resetToken(RIGHT.email));
      expect(res.status).toBe(504);
      expect(await live(a, cookie)).toBe(false);
      expect(ended(events, "password_changed")).toHaveLength(1);
    });

    /**
     * A password sign-in on `signingIn` whose answer comes back 300 ms later, and a password
     * update on `updating` 100 ms in; resolves the sign-in's status.
     */
    async function signInDuringUpdate(signingIn: express.Express, updating: express.Express) {
      backend.state.delays.signIn = 300;
      const racing = request(signingIn)
        .post("/auth/customer/emailpass")
        .send(RIGHT)
        .then((res) => res.status);
      await new Promise((resolve) => setTimeout(resolve, 100));
      backend.state.delays.signIn = 0;
      expect((await update(updating, await resetToken(RIGHT.email))).status).toBe(200);
      return racing;
    }

    test("a password sign-in under way when the update lands starts no session", async () => {
      const { a, b, events } = instances();
      const owner = await passwordSignIn(a);
      expect(await signInDuringUpdate(b, a)).toBe(401);
      expect(await live(a, owner)).toBe(false);
      // Its session started and ended at once; a sign-in after the update is welcome.
      expect(ended(events, "password_changed")).toHaveLength(2);
      expect((await request(b).post("/auth/customer/emailpass").send(RIGHT)).status).toBe(200);
    });

    test("so does one for an account that never signed in through this BFF before", async () => {
      const { a, b } = instances();
      expect(await signInDuringUpdate(b, a)).toBe(401);
    });

    test("an MFA step under way when the update ends its pending session starts no session", async () => {
      const { a, events } = instances();
      const start = await request(a)
        .post("/auth/customer/emailpass")
        .send({ email: "mfa@example.com", password: "right-password" });
      const pending = String(start.headers["set-cookie"]![0]).split(";")[0]!;
      backend.state.delays.mfaVerify = 300;
      const verifying = request(a)
        .post("/auth/mfa/challenges/authmfachal_1/verify")
        .set("Cookie", pending)
        .send({ code: "123456" })
        .then((res) => res);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await update(a, await resetToken("mfa@example.com"))).status).toBe(200);
      const verified = await verifying;
      expect(verified.status).toBe(401);
      expect(String(verified.headers["set-cookie"])).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
      expect(events.filter((e) => e.type === "signin.succeeded")).toHaveLength(1);
    });
  });

  test("the store keeps no e-mail address: records are keyed by an HMAC, valued by ids", async () => {
    const inner = new MemorySessionStore({ sweepInterval: 0 });
    const records: Array<[string, string | null, number]> = [];
    const store: SessionStore = Object.assign(Object.create(inner) as MemorySessionStore, {
      setRecord: (key: string, value: string | null, until: number) => {
        records.push([key, value, until]);
        return inner.setRecord(key, value, until);
      },
    });
    const { a } = instances(store);
    const before = Date.now();
    await passwordSignIn(a);
    const account = records.filter(([key]) => key !== "secrets:check");
    expect(account.length).toBe(2);
    for (const [key, value, until] of account) {
      expect(key).toMatch(/^account:(id|ai):[A-Za-z0-9_-]{43}$/);
      expect(`${key} ${value}`).not.toMatch(/jo@example\.com/i);
      // As long as a session begun now can live: the absolute timeout (default 10 hours).
      expect(until).toBeGreaterThanOrEqual(before + 10 * 3600_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 10 * 3600_000);
    }
    expect(account.map(([, value]) => value).sort()).toEqual(["authid_1", "cus_123"]);
  });

  test("a store without small records is refused at setup: it could not end the sessions", () => {
    const inner = new MemorySessionStore({ sweepInterval: 0 });
    const store: SessionStore = {
      get: (id) => inner.get(id),
      set: (id, r, l) => inner.set(id, r, l),
      touch: (id, r) => inner.touch(id, r),
      destroy: (id) => inner.destroy(id),
      listByCustomer: (id) => inner.listByCustomer(id),
      consumeTokenId: (id, until) => inner.consumeTokenId(id, until),
    };
    expect(() =>
      createSessionRouter({
        keys: hmacSecret(SECRET),
        sessions: store,
        cookie: { secret: COOKIE_SECRET },
        upstream: { baseUrl: backend.url, timeout: 2 },
        logger: false,
      }),
    ).toThrow(/small records \(getRecord, setRecord\)/);
  });
});

test("a reset token in the query string is refused, never forwarded: the sessions could not end", async () => {
  const { a } = instances();
  const cookie = await passwordSignIn(a);
  const token = await resetToken(RIGHT.email);
  const res = await request(a)
    .post(`/auth/customer/emailpass/update?token=${token}`)
    .send({ password: "a-new-password" });
  expect(res.status).toBe(400);
  expect(await live(a, cookie)).toBe(true);
});

test("an Authorization the BFF would read otherwise than the backend is refused, never forwarded", async () => {
  const { a } = instances();
  const cookie = await passwordSignIn(a);
  const token = await resetToken(RIGHT.email);
  const before = backend.seen.length;
  for (const authorization of [`Bearer\t${token}`, `Bearer ${token} x`, `Basic ${token}`]) {
    const res = await request(a)
      .post("/auth/customer/emailpass/update")
      .set("Authorization", authorization)
      .send({ password: "a-new-password" });
    expect([authorization.slice(0, 7), res.status]).toEqual([authorization.slice(0, 7), 400]);
  }
  expect(backend.seen.length).toBe(before);
  expect(await live(a, cookie)).toBe(true);
});

test("the reset token is sent on exactly as the BFF read it, and the sessions end", async () => {
  const { a } = instances();
  const cookie = await passwordSignIn(a);
  const token = await resetToken(RIGHT.email);
  const res = await request(a)
    .post("/auth/customer/emailpass/update")
    .set("Authorization", `bearer   ${token}`)
    .send({ password: "a-new-password" });
  expect(res.status).toBe(200);
  expect(backend.last().headers.authorization).toBe(`Bearer ${token}`);
  expect(await live(a, cookie)).toBe(false);
});
