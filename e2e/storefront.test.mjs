// The storefront in a real browser (Debian's Chromium, driven by playwright-core): sign in,
// check the session cookie is invisible to JavaScript, reload, sign out.
// Run: npm run test:e2e (builds the package and the example first).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, test } from "node:test";
import { launchChromium } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const { startExample } = require("../example-app/dist/app.js");

const ARTIFACTS = path.resolve(".e2e-artifacts");

let browser;
let example;
let unavailable;

before(async () => {
  ({ browser, unavailable } = await launchChromium());
  if (unavailable) return;
  example = await startExample({ port: 0, host: "127.0.0.1", medusa: MEDUSA });
  if (MEDUSA !== undefined) account = await registerMedusaCustomer();
});

// With MEDUSA_* set (npm run test:medusa sets them), the same test runs against a real Medusa: the
// example fronts it, and the customer is registered there first, the Medusa way.
const MEDUSA =
  process.env.MEDUSA_URL === undefined
    ? undefined
    : {
        url: process.env.MEDUSA_URL,
        jwtSecret: process.env.MEDUSA_JWT_SECRET,
        publishableKey: process.env.MEDUSA_PUBLISHABLE_KEY,
      };
let account = { email: "jane@example.com", password: "storefront-demo", name: "Jane Doe" };

async function registerMedusaCustomer() {
  const email = `jane.${Date.now()}@bff.test`;
  const password = "a-password-of-the-customer-1";
  const post = async (route, body, token) => {
    const res = await fetch(`${MEDUSA.url}${route}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-publishable-api-key": MEDUSA.publishableKey,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${route} answered ${res.status}`);
    return res.json();
  };
  const { token } = await post("/auth/customer/emailpass/register", { email, password });
  await post("/store/customers", { email, first_name: "Jane", last_name: "Doe" }, token);
  return { email, password, name: "Jane Doe" };
}

after(async () => {
  await browser?.close();
  await example?.close();
});

/**
 * The storefront in a new page of `context`, signed out, with the page's script errors and
 * every answer it receives recorded. Every response body is read, so a signed-out page settles
 * (no request left hanging).
 */
async function openSignedOut(context) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(error.message));
  const answers = recordAnswers(page);
  await page.goto(example.url, { waitUntil: "networkidle", timeout: 15_000 });
  await page.locator("#signed-out").waitFor();
  return { page, problems, answers };
}

test("sign in, stay signed in across a reload, sign out — with an httpOnly cookie", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const { page, problems, answers } = await openSignedOut(context);
  await page.fill('#sign-in input[name="email"]', account.email);
  await page.fill('#sign-in input[name="password"]', account.password);
  await page.click('#sign-in button[type="submit"]');

  await page.locator("#signed-in").waitFor();
  assert.equal(await page.textContent("#customer-name"), account.name);
  assert.equal(await page.textContent("#customer-email"), account.email);
  if (MEDUSA === undefined) assert.match(await page.textContent("#addresses"), /Torstraße 1/);
  // Both deadlines: the idle one, and the absolute one that use never moves. They come with
  // the GET /auth/session that follows the sign-in (the sign-in's answer has the customer only).
  await page.locator("#session-expires", { hasText: /if idle; at the latest / }).waitFor();
  await page.locator("#sessions li.current").waitFor();

  // The developer panel is apart from the shop: collapsed until asked for, then remembered.
  assert.equal(await page.isVisible("#dev-panel"), false);
  assert.equal(await page.getAttribute("#dev-toggle", "aria-expanded"), "false");
  await page.click("#dev-toggle");
  await page.locator("#dev-panel").waitFor();
  assert.equal(await page.getAttribute("#dev-toggle", "aria-expanded"), "true");
  await page.locator("#dev-customer-id", { hasText: /^cus_/ }).waitFor();
  assert.doesNotMatch(await page.textContent("#dev-cookies"), /bff\.sid/);
  await page.reload();
  await page.locator("#signed-in").waitFor();
  assert.equal(await page.isVisible("#dev-panel"), true, "the open panel is remembered");
  await page.click("#dev-toggle");
  assert.equal(await page.isVisible("#dev-panel"), false);
  await page.reload();
  await page.locator("#signed-in").waitFor();
  assert.equal(await page.isVisible("#dev-panel"), false, "the closed panel is remembered");

  // Products and a cart, from the backend's Store API through storeApi().
  await page.locator("#products .add-to-cart").first().waitFor();
  await page.locator("#products .add-to-cart").first().click();
  await page.locator("#cart-items li", { hasText: "1 ×" }).waitFor();

  // The session cookie exists for the browser but not for JavaScript.
  const cookies = await context.cookies();
  const sessionCookie = cookies.find((c) => c.name === "bff.sid");
  assert.ok(sessionCookie, "the browser holds the session cookie");
  assert.equal(sessionCookie.httpOnly, true);
  assert.equal(sessionCookie.sameSite, "Lax");
  const visible = await page.evaluate(() => document.cookie);
  assert.ok(
    !visible.includes("bff.sid"),
    `document.cookie must not show the session cookie: ${visible}`,
  );
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.ok(!stored.includes("eyJ"), "no token in web storage");

  await page.reload();
  await page.locator("#signed-in").waitFor();
  assert.equal(await page.textContent("#customer-email"), account.email);

  await page.click("#sign-out");
  await page.locator("#signed-out").waitFor();
  assert.match(await page.textContent("#message"), /signed out/);
  await page.reload();
  await page.locator("#signed-out").waitFor();
  assert.equal(await page.isVisible("#signed-in"), false);

  // The demo accounts exist only in the stand-in backend: their hint shows there only.
  if (MEDUSA === undefined) assert.equal(await page.isVisible("#demo-hint"), true);
  else assert.equal(await page.isVisible("#demo-hint"), false);

  // In front of Medusa nothing is pre-filled: the page offers no demo account there.
  await page.fill('#sign-in input[name="email"]', account.email);
  await page.fill('#sign-in input[name="password"]', "wrong-password");
  await page.click('#sign-in button[type="submit"]');
  await page.locator("#message:not([hidden])").waitFor();
  assert.equal(
    await page.textContent("#message"),
    "That email and password don't match an account.",
  );

  assert.deepEqual(problems, []);
  await assertNoToken(answers, 10);
  await context.close();
});

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/** Every answer the page receives from the BFF: URL, headers and body. */
function recordAnswers(page) {
  const answers = [];
  page.on("response", (response) => {
    // A redirect has no body to read; headers that cannot be read (the page closed first) are
    // recorded as unread, and assertNoToken refuses them.
    const headers = response.allHeaders().then(JSON.stringify, () => undefined);
    answers.push(
      Promise.all([response.text().catch(() => ""), headers]).then(([body, headers]) => ({
        url: response.url(),
        headers,
        body,
      })),
    );
  });
  return answers;
}

/** No answer the page received carries a JWT: the sign-in routes hand out stand-ins only. */
async function assertNoToken(answers, atLeast) {
  const settled = await Promise.all(answers);
  assert.ok(settled.length >= atLeast, `only ${settled.length} answers recorded`);
  for (const { url, headers, body } of settled) {
    assert.ok(headers !== undefined, `the headers of ${url} were not read`);
    assert.doesNotMatch(body, JWT, `a JWT in the body of ${url}`);
    assert.doesNotMatch(headers, JWT, `a JWT in the headers of ${url}`);
  }
  assert.ok(
    settled.some((a) => a.url.includes("/auth/customer/emailpass") && /bffsi_/.test(a.body)),
    "the sign-in answered a stand-in",
  );
}

test("register, sign in and ask for a password reset through the BFF: no token reaches the page", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const context = await browser.newContext();
  const { page, problems, answers } = await openSignedOut(context);

  const email = `new.${Date.now()}@example.com`;
  await page.fill('#register input[name="first_name"]', "Nina");
  await page.fill('#register input[name="last_name"]', "Neu");
  await page.fill('#register input[name="email"]', email);
  await page.fill('#register input[name="password"]', "a-new-password-1");
  await page.click('#register button[type="submit"]');
  await page.locator("#signed-in").waitFor();
  assert.equal(await page.textContent("#customer-name"), "Nina Neu");
  assert.equal(await page.textContent("#customer-email"), email);
  const visible = await page.evaluate(() => document.cookie);
  assert.ok(!visible.includes("bff.sid"), `document.cookie shows the session: ${visible}`);

  // The customer edits the name (POST /store/customers/me); it is the backend's, so it stays.
  await page.fill('#profile input[name="first_name"]', "Nina Maria");
  await page.fill('#profile input[name="last_name"]', "Neumann");
  await page.click('#profile button[type="submit"]');
  await page.locator("#message", { hasText: "Your name is saved." }).waitFor();
  assert.equal(await page.textContent("#customer-name"), "Nina Maria Neumann");
  await page.reload();
  await page.locator("#signed-in").waitFor();
  assert.equal(await page.textContent("#customer-name"), "Nina Maria Neumann");
  assert.equal(await page.inputValue('#profile input[name="last_name"]'), "Neumann");

  // … and adds an address (POST /store/customers/me/addresses).
  await page.click("#add-address");
  await page.fill('#address-form input[name="address_name"]', "Home");
  await page.fill('#address-form input[name="address_1"]', "Hauptstraße 5");
  await page.fill('#address-form input[name="postal_code"]', "10115");
  await page.fill('#address-form input[name="city"]', "Berlin");
  await page.fill('#address-form input[name="country_code"]', "de");
  await page.click('#address-form button[type="submit"]');
  await page.locator("#addresses li", { hasText: "Hauptstraße 5" }).waitFor();
  await page.reload();
  await page.locator("#addresses li", { hasText: "Hauptstraße 5" }).waitFor();

  // Her only session: "sign out everywhere" says there was no other.
  await page.click("#sign-out-everywhere");
  await page.locator("#signed-out").waitFor();
  assert.equal(
    await page.textContent("#message"),
    "Signed out of this browser. No other sessions were signed in.",
  );
  await page.fill('#sign-in input[name="email"]', email);
  await page.click("#forgot-password");
  await page.locator("#message", { hasText: "a link to reset the password" }).waitFor();

  assert.deepEqual(problems, []);
  await assertNoToken(answers, 8);
  await context.close();
});

test("a guest fills a cart, keeps it across a reload, and still has it after signing in", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const context = await browser.newContext();
  const { page, problems, answers } = await openSignedOut(context);
  await guestFillsCart(page, 3);
  await page.locator("#cart-items li", { hasText: "3 ×" }).waitFor();

  // The cart's id is in an httpOnly cookie the page cannot read, and the page never needed it.
  const cartCookie = (await context.cookies()).find((c) => c.name === "bff.sid.cart");
  assert.ok(cartCookie, "the browser holds the guest cart cookie");
  assert.equal(cartCookie.httpOnly, true);
  assert.ok(!(await page.evaluate(() => document.cookie)).includes("cart"));

  await page.reload();
  await page.locator("#signed-out").waitFor();
  await page.locator("#cart-items li", { hasText: "3 ×" }).waitFor();

  await page.fill('#sign-in input[name="email"]', account.email);
  await page.fill('#sign-in input[name="password"]', account.password);
  await page.click('#sign-in button[type="submit"]');
  await page.locator("#signed-in").waitFor();
  await page.locator("#cart-items li", { hasText: "3 ×" }).waitFor();
  // Now the customer's: kept with the session, the guest cookie gone.
  assert.equal(
    (await context.cookies()).find((c) => c.name === "bff.sid.cart"),
    undefined,
  );
  await page.reload();
  await page.locator("#signed-in").waitFor();
  await page.locator("#cart-items li", { hasText: "3 ×" }).waitFor();

  // Signed out, this browser no longer reaches it; signed in again elsewhere, it is back.
  await page.click("#sign-out");
  await page.locator("#signed-out").waitFor();
  await page.locator("#cart-items li", { hasText: "Your cart is empty." }).waitFor();
  const other = await openSignedOut(await browser.newContext());
  await other.page.fill('#sign-in input[name="email"]', account.email);
  await other.page.fill('#sign-in input[name="password"]', account.password);
  await other.page.click('#sign-in button[type="submit"]');
  await other.page.locator("#signed-in").waitFor();
  await other.page.locator("#cart-items li", { hasText: "3 ×" }).waitFor();

  assert.deepEqual(problems, []);
  assert.deepEqual(other.problems, []);
  await assertNoToken(answers, 1);
  await other.page.context().close();
  await context.close();
});

/** As a guest: adds the first product `times` times (the first click creates the cart). */
async function guestFillsCart(page, times) {
  const add = page.locator("#products .add-to-cart").first();
  await add.waitFor();
  for (let n = 1; n <= times; n++) {
    await add.click();
    await page.locator("#cart-items li", { hasText: `${n} ×` }).waitFor();
  }
}

test('a page left open after "sign out everywhere" elsewhere ends its signed-in view', async (t) => {
  if (unavailable) return t.skip(unavailable);
  const signedIn = async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(example.url);
    await page.locator("#signed-out").waitFor();
    await page.fill('#sign-in input[name="email"]', account.email);
    await page.fill('#sign-in input[name="password"]', account.password);
    await page.click('#sign-in button[type="submit"]');
    await page.locator("#signed-in").waitFor();
    return { context, page };
  };
  const stale = await signedIn();
  const other = await signedIn();
  await other.page.click("#sign-out-everywhere");
  await other.page.locator("#signed-out").waitFor();
  // At least the stale page's session was another one; the count is grammatical.
  assert.match(
    await other.page.textContent("#message"),
    /^Signed out of this browser and of (1 other session|[2-9]\d* other sessions|1\d+ other sessions)\.$/,
  );
  // The stale page acts: the BFF answers 401, and the page stops showing the customer.
  await stale.page.locator("#products .add-to-cart").first().click();
  await stale.page.locator("#signed-out").waitFor();
  assert.match(await stale.page.textContent("#message"), /session has ended/);
  assert.equal(await stale.page.isVisible("#customer-email"), false);
  await stale.context.close();
  await other.context.close();
});

test("an answer that left before a sign-out does not bring the signed-in view back", async (t) => {
  if (unavailable) return t.skip(unavailable);
  const context = await browser.newContext();
  const { page, problems } = await openSignedOut(context);
  // The page's own GET /auth/session after signing in: answered 200 while the session lives,
  // and handed to the page only after "sign out everywhere" has ended it.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  let heldAnswer;
  const answered = new Promise((resolve) => (heldAnswer = resolve));
  await page.route(
    (url) => url.pathname === "/auth/session",
    async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      heldAnswer();
      await held;
      await route.fulfill({ response });
    },
  );
  const later = [];
  page.on("request", (request) => later.push(new URL(request.url()).pathname));
  await page.fill('#sign-in input[name="email"]', account.email);
  await page.fill('#sign-in input[name="password"]', account.password);
  await page.click('#sign-in button[type="submit"]');
  await page.locator("#signed-in").waitFor();
  await answered;
  await page.click("#sign-out-everywhere");
  await page.locator("#signed-out").waitFor();
  const said = await page.textContent("#message");
  assert.match(said, /^Signed out of this browser/);

  later.length = 0;
  const delivered = page.waitForResponse(
    (res) => new URL(res.url()).pathname === "/auth/session" && res.request().method() === "GET",
  );
  release();
  await delivered;
  // Had the page taken it, it would show the customer and ask for their sessions, whose 401
  // then says the session has ended: a local round trip, well within this wait.
  await page.waitForTimeout(500);
  assert.equal(await page.isVisible("#signed-out"), true);
  assert.equal(await page.isVisible("#customer-email"), false);
  assert.equal(await page.textContent("#message"), said);
  assert.deepEqual(
    later.filter((p) => p.startsWith("/store/customers/")),
    [],
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test("screenshots of the signed-in page at desktop and phone widths", async (t) => {
  if (unavailable) return t.skip(unavailable);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [name, viewport] of [
    ["storefront-signed-in.png", { width: 1280, height: 800 }],
    ["storefront-phone.png", { width: 375, height: 812 }],
  ]) {
    const context = await browser.newContext({ viewport });
    const { page, problems } = await openSignedOut(context);
    await page.fill('#sign-in input[name="email"]', account.email);
    await page.fill('#sign-in input[name="password"]', account.password);
    await page.click('#sign-in button[type="submit"]');
    await page.locator("#sessions li.current").waitFor();
    await page.locator("#products .add-to-cart").first().click();
    await page.locator("#cart-items li", { hasText: "×" }).first().waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    // Nothing wider than the viewport: no sideways scrolling on a phone.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.equal(overflow, 0, `the page scrolls sideways at ${viewport.width} px`);
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
    assert.ok(existsSync(path.join(ARTIFACTS, name)));
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("in front of Medusa the page does not offer the stand-in's demo accounts", async (t) => {
  if (unavailable) return t.skip(unavailable);
  // Medusa mode needs no Medusa to render the sign-in form: a closed port is enough here.
  const medusaMode =
    MEDUSA === undefined
      ? await startExample({
          port: 0,
          host: "127.0.0.1",
          medusa: { url: "http://127.0.0.1:9", jwtSecret: "a-secret-that-is-never-used-here-32b" },
        })
      : example;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    // No backend behind it: the catalog's calls go nowhere (and log nothing in the BFF).
    if (medusaMode !== example) await page.route("**/store/**", (route) => route.abort());
    await page.goto(medusaMode.url, { waitUntil: "networkidle", timeout: 15_000 });
    await page.locator("#signed-out").waitFor();
    assert.equal(await page.isVisible("#demo-hint"), false);
    assert.equal(await page.inputValue('#sign-in input[name="email"]'), "");
    await context.close();
  } finally {
    if (medusaMode !== example) await medusaMode.close();
  }
});

test("a port in use: a sentence, not a stack", async () => {
  const { spawn } = await import("node:child_process");
  const port = new URL(example.url).port;
  const child = spawn(process.execPath, ["example-app/dist/server.js"], {
    env: { ...process.env, PORT: port, HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on("exit", resolve));
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`Port ${port} is already in use\\. .*PORT=3001 npm start`));
  assert.doesNotMatch(stderr, /at Server\.|EADDRINUSE/);
});
