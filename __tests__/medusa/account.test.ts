/**
 * Account changes end sessions, against the real Medusa 2.21.2 backend (npm run test:medusa):
 * two BFF instances, each with its own Redis connection and store, two signed-in browsers. A password reset through
 * the BFF, with the reset token read as a notification subscriber receives it (the test
 * backend's auth.password_reset subscriber writes it to an outbox file), signs both out within
 * 5 s; so does deleting the customer through the admin API, with bff-session/medusa's
 * customer.deleted subscriber installed in the backend (test-backends/medusa/src/subscribers).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type Redis from "ioredis";
import { decodeJwt } from "jose";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  RedisSessionStore,
  type SessionEvent,
  type SessionRouter,
} from "../../lib/index.js";
import { deleteKeys, ioredisClient, uniquePrefix } from "../support/redis.js";
import { KEY, MEDUSA, env } from "./support.js";

const BACK_CHANNEL = new URL(env("MEDUSA_BFF_BACK_CHANNEL_URL"));
const OUTBOX = env("MEDUSA_PASSWORD_RESET_OUTBOX");
const WITHIN = 5_000;

// The instances share nothing but Redis, as two processes would.
const PREFIX = uniquePrefix("medusa-account");
const events: SessionEvent[] = [];
const servers: Server[] = [];
const clients: Redis[] = [];
const routers: SessionRouter[] = [];

/** One BFF instance on its own port; the first also serves the back-channel, on its port. */
async function instance(port = 0): Promise<string> {
  const client = ioredisClient();
  clients.push(client);
  const router = createSessionRouter({
    keys: hmacSecret(env("MEDUSA_JWT_SECRET")),
    sessions: new RedisSessionStore({ client, prefix: PREFIX }),
    cookie: { secret: "cookie-secret-shared-by-both-instances-0123" },
    upstream: { baseUrl: MEDUSA, publishableKey: KEY, timeout: "5s" },
    onEvent: (event) => events.push(event),
    logger: false,
  });
  routers.push(router);
  const app = express();
  app.post(
    BACK_CHANNEL.pathname,
    router.backChannel({ secret: env("MEDUSA_BFF_BACK_CHANNEL_SECRET") }),
  );
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  const server = app.listen(port, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A browser: a cookie jar for one BFF origin. */
function browser(base: string) {
  const jar = new Map<string, string>();
  return async function send(
    method: string,
    route: string,
    body?: object,
    headers: Record<string, string> = {},
  ) {
    const all = new Headers(headers);
    if (body !== undefined) all.set("content-type", "application/json");
    if (jar.size > 0) all.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${base}${route}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of res.headers.getSetCookie()) {
      const [name, value] = line.split(";")[0]!.split("=") as [string, string];
      if (value === "" || /max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const text = await res.text();
    return { status: res.status, json: text.startsWith("{") ? JSON.parse(text) : text };
  };
}

type Browser = ReturnType<typeof browser>;

/** Registers a customer through the BFF (register, create with the stand-in), as the SDK does. */
async function register(base: string, email: string, password: string): Promise<string> {
  const send = browser(base);
  const { json } = await send("POST", "/auth/customer/emailpass/register", { email, password });
  const created = await send(
    "POST",
    "/store/customers",
    { email },
    {
      authorization: `Bearer ${json.token}`,
    },
  );
  expect(created.status).toBe(200);
  return created.json.customer.id as string;
}

async function signIn(send: Browser, email: string, password: string): Promise<number> {
  return (await send("POST", "/auth/customer/emailpass", { email, password })).status;
}

/** Resolves how long it took until every browser's session was gone; fails past `WITHIN`. */
async function signedOut(browsers: Browser[], since: number): Promise<number> {
  for (;;) {
    const statuses = await Promise.all(browsers.map((b) => b("GET", "/auth/session")));
    if (statuses.every((s) => s.status === 401)) return Date.now() - since;
    if (Date.now() - since > WITHIN) throw new Error(`still signed in after ${WITHIN} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The reset token the backend's auth.password_reset event carried for `email`. */
async function resetTokenFor(email: string): Promise<string> {
  const until = Date.now() + 10_000;
  for (;;) {
    const lines = existsSync(OUTBOX) ? readFileSync(OUTBOX, "utf8").trim().split("\n") : [];
    const found = lines
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { entity_id: string; token: string })
      .find((m) => m.entity_id === email);
    if (found !== undefined) return found.token;
    if (Date.now() > until) throw new Error(`no auth.password_reset event for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let one: string;
let two: string;
beforeAll(async () => {
  one = await instance(Number(BACK_CHANNEL.port));
  two = await instance();
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const router of routers) await router.close();
  await deleteKeys(clients[0]!, PREFIX);
  for (const client of clients) await client.quit();
});

const ended = (customerId: string, reason: string) =>
  events.filter(
    (e) => e.type === "session.destroyed" && e.reason === reason && e.customerId === customerId,
  ).length;

test("a password reset through the BFF signs out both browsers on both instances within 5 s", async () => {
  const email = `reset-${randomUUID()}@example.com`;
  const customerId = await register(one, email, "old-password-1");
  const [a, b] = [browser(one), browser(two)];
  expect(await signIn(a, email, "old-password-1")).toBe(200);
  expect(await signIn(b, email, "old-password-1")).toBe(200);
  expect((await a("GET", "/auth/session")).json.user.id).toBe(customerId);

  // The reset's first step, through the BFF; the token arrives as a notification would.
  const asked = await browser(one)("POST", "/auth/customer/emailpass/reset-password", {
    identifier: email,
  });
  expect(asked.status).toBeLessThan(300);
  const token = await resetTokenFor(email);
  // Medusa 2.21.2's reset token names the identity, never the customer.
  expect(decodeJwt(token)).toMatchObject({
    entity_id: email,
    provider: "emailpass",
    purpose: "reset",
  });
  expect(decodeJwt(token).actor_id).toBeUndefined();

  const since = Date.now();
  const updated = await browser(two)(
    "POST",
    "/auth/customer/emailpass/update",
    { password: "new-password-2" },
    { authorization: `Bearer ${token}` },
  );
  expect(updated.status).toBe(200);
  expect(await signedOut([a, b], since)).toBeLessThan(WITHIN);
  expect(ended(customerId, "password_changed")).toBe(2);

  expect(await signIn(browser(two), email, "new-password-2")).toBe(200);
  expect(await signIn(browser(one), email, "old-password-1")).toBe(401);
});

test("deleting the customer through the admin API signs out both browsers within 5 s", async () => {
  const email = `deleted-${randomUUID()}@example.com`;
  const customerId = await register(two, email, "password-3");
  const [a, b] = [browser(one), browser(two)];
  expect(await signIn(a, email, "password-3")).toBe(200);
  expect(await signIn(b, email, "password-3")).toBe(200);

  const admin = await fetch(`${MEDUSA}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: env("MEDUSA_ADMIN_EMAIL"),
      password: env("MEDUSA_ADMIN_PASSWORD"),
    }),
  }).then((r) => r.json() as Promise<{ token: string }>);
  const since = Date.now();
  const deleted = await fetch(`${MEDUSA}/admin/customers/${customerId}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${admin.token}` },
  });
  expect(deleted.status).toBe(200);
  expect(await signedOut([a, b], since)).toBeLessThan(WITHIN);
  expect(ended(customerId, "customer_deleted")).toBe(2);
});
