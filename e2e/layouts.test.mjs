// The storefront layouts of the README ("Storefront layouts"), in a real browser: a page on one
// origin calling the BFF on another with credentials. Same site on another port works with the
// defaults plus csrf.trustedOrigins; another site needs cookie { sameSite: "none", secure:
// true } (Chromium treats http://localhost as secure) and a browser that accepts third-party
// cookies; without it the browser drops the cookie and the BFF logs a warning. Also "remember me": a persistent or a session cookie.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import express from "express";
import { SignJWT } from "jose";
import { launchChromium, launchProfile } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const { createSessionRouter, hmacSecret } = require("../dist/cjs/index.js");

const SECRET = "layouts-test-secret-at-least-32-bytes-long";
let browser;
let unavailable;
const servers = [];

before(async () => {
  ({ browser, unavailable } = await launchChromium());
});
after(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function listen(app, host) {
  return new Promise((resolve) => {
    const server = createServer(app).listen(0, "127.0.0.1", () => {
      servers.push(server);
      resolve(`http://${host}:${server.address().port}`);
    });
  });
}

/** A BFF that lets `pageOrigin` call it with credentials (CORS), with the given options. */
async function bff(host, options, warnings) {
  const app = express();
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Vary", "Origin");
    }
    if (req.method !== "OPTIONS") return next();
    res.setHeader("Access-Control-Allow-Headers", "authorization, content-type");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE");
    res.status(204).end();
  });
  app.use(
    createSessionRouter({
      keys: hmacSecret(SECRET),
      customers: { retrieve: async (id) => ({ id, email: "jane@example.com" }) },
      logger: { debug() {}, error() {}, warn: (_obj, msg) => warnings.push(msg) },
      ...options,
    }),
  );
  return listen(app, host);
}

const page = () =>
  listen((_req, res) => res.end("<!doctype html><title>storefront</title>"), "127.0.0.1");

const token = () =>
  new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(SECRET));

/**
 * A browser profile that accepts third-party cookies, as a user's browser must for a storefront
 * on another site (Safari, Firefox's total cookie protection and some Chromium builds, this
 * one included, block or partition them by default).
 */
async function profileAllowingThirdPartyCookies() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bff-chromium-"));
  mkdirSync(path.join(dir, "Default"));
  writeFileSync(
    path.join(dir, "Default", "Preferences"),
    JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }),
  );
  return launchProfile(dir);
}

/** In the page: sign in at the BFF, then read the session; both statuses and the 403's body. */
async function signInFrom(pageUrl, bffUrl, query = "", { thirdPartyCookies = false } = {}) {
  const context = thirdPartyCookies
    ? await profileAllowingThirdPartyCookies()
    : await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(pageUrl);
  const result = await tab.evaluate(
    async ({ bffUrl, query, jwt }) => {
      const login = await fetch(`${bffUrl}/auth/session${query}`, {
        method: "POST",
        credentials: "include",
        headers: { authorization: `Bearer ${jwt}` },
      });
      const body = await login.text();
      const me = await fetch(`${bffUrl}/auth/session`, { credentials: "include" });
      await me.text();
      return { login: login.status, body, me: me.status };
    },
    { bffUrl, query, jwt: await token() },
  );
  const cookies = await context.cookies(bffUrl);
  await context.close();
  return { ...result, cookies };
}

test("same site, another port: the defaults plus csrf.trustedOrigins", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const pageUrl = await page();
  const warnings = [];
  const trusted = await bff("127.0.0.1", { csrf: { trustedOrigins: [pageUrl] } }, warnings);
  assert.deepEqual(
    { ...(await signInFrom(pageUrl, trusted)), cookies: undefined, body: undefined },
    { login: 200, me: 200, cookies: undefined, body: undefined },
  );
  const untrusted = await bff("127.0.0.1", {}, warnings);
  const refused = await signInFrom(pageUrl, untrusted);
  assert.equal(refused.login, 403);
  assert.match(JSON.parse(refused.body).message, /marked it same-site .* csrf\.trustedOrigins/);
  assert.deepEqual(warnings, []);
});

test("another site: SameSite=Lax is dropped (and a warning says so); none + secure works", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const pageUrl = await page(); // 127.0.0.1
  const warnings = [];
  const lax = await bff("localhost", { csrf: { trustedOrigins: [pageUrl] } }, warnings);
  const dropped = await signInFrom(pageUrl, lax);
  assert.equal(dropped.login, 200);
  assert.equal(dropped.me, 401, "the browser dropped the Lax cookie");
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /sameSite: "none", secure: true/);

  const none = await bff(
    "localhost",
    {
      csrf: { trustedOrigins: [pageUrl] },
      cookie: { sameSite: "none", secure: true, name: "bff.sid" },
    },
    warnings,
  );
  const kept = await signInFrom(pageUrl, none, "", { thirdPartyCookies: true });
  assert.deepEqual([kept.login, kept.me], [200, 200]);
});

test("remember me: a persistent cookie by default, a browser-session one with ?remember=false", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const pageUrl = await page();
  const server = await bff("127.0.0.1", { csrf: { trustedOrigins: [pageUrl] } }, []);
  const persistent = await signInFrom(pageUrl, server);
  const session = await signInFrom(pageUrl, server, "?remember=false");
  const expires = (r) => r.cookies.find((c) => c.name === "bff.sid").expires;
  assert.ok(
    expires(persistent) > Date.now() / 1000 + 3600,
    "a persistent cookie outlives the browser session",
  );
  assert.equal(expires(session), -1, "a browser-session cookie has no expiry");
  assert.equal(session.me, 200);
});
