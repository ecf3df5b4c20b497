// A real Medusa 2.21.2 backend on loopback for `npm run test:medusa`:
// `node scripts/medusa-backend.mjs -- <command…>` installs test-backends/medusa if needed (its
// own lockfile), creates a fresh PostgreSQL database, runs `medusa db:migrate`, creates an admin
// user, starts `medusa start` on a free port (the server's own PID, not npx's), creates a
// publishable key linked to the default sales channel, a region and a product, runs the
// command with MEDUSA_* set, and stops the server and drops the database afterwards, also when
// the command fails. Under CI=true a backend that cannot start fails the run.
import { execFileSync, spawn } from "node:child_process";
import { commandAfterSeparator, runCommand } from "./run-command.mjs";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";

const DIR = path.resolve("test-backends/medusa");
const BIN = path.join(DIR, "node_modules/.bin/medusa");
const DB = `bff_medusa_test_${process.pid}`;
const ADMIN = { email: "admin@bff.test", password: "admin-password-for-tests-1" };
const PG = process.env.MEDUSA_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const env = {
  ...process.env,
  DATABASE_URL: `${PG}/${DB}`,
  JWT_SECRET: "medusa-test-jwt-secret-at-least-32-bytes-long",
  COOKIE_SECRET: "medusa-test-cookie-secret-0123456789",
  // Turns on Medusa's TOTP MFA (its auth module encrypts factor secrets with it).
  AUTH_MFA_ENCRYPTION_KEY: "medusa-test-mfa-encryption-key-0123456789",
  // Short-lived tokens, so the refresh flow runs in seconds.
  JWT_EXPIRES_IN: process.env.MEDUSA_JWT_EXPIRES_IN ?? "20s",
  MEDUSA_DISABLE_TELEMETRY: "true",
  NODE_ENV: "production",
};
const log = (message) => console.log(`medusa-backend: ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function admin(db, sql) {
  const client = new pg.Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    await client.query(sql.replace("$DB", `"${db}"`));
  } finally {
    await client.end();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function api(base, method, route, { token, key, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers["x-publishable-api-key"] = key;
  const res = await fetch(`${base}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok)
    throw new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** What the tests need in the backend: a publishable key on the default channel, a region, a product. */
async function seed(base) {
  const { token } = await api(base, "POST", "/auth/user/emailpass", { body: ADMIN });
  const { sales_channels } = await api(base, "GET", "/admin/sales-channels", { token });
  const channel = sales_channels[0].id;
  const { api_key } = await api(base, "POST", "/admin/api-keys", {
    token,
    body: { title: "bff-session tests", type: "publishable" },
  });
  await api(base, "POST", `/admin/api-keys/${api_key.id}/sales-channels`, {
    token,
    body: { add: [channel] },
  });
  const { region } = await api(base, "POST", "/admin/regions", {
    token,
    body: { name: "Europe", currency_code: "eur", countries: ["de"] },
  });
  const { shipping_profiles } = await api(base, "GET", "/admin/shipping-profiles", { token });
  const { product } = await api(base, "POST", "/admin/products", {
    token,
    body: {
      title: "BFF Test Shirt",
      status: "published",
      shipping_profile_id: shipping_profiles[0]?.id,
      sales_channels: [{ id: channel }],
      options: [{ title: "Size", values: ["M"] }],
      variants: [
        {
          title: "M",
          options: { Size: "M" },
          manage_inventory: false,
          prices: [{ currency_code: "eur", amount: 25 }],
        },
      ],
    },
  });
  return { key: api_key.token, region: region.id, variant: product.variants[0].id };
}

const command = commandAfterSeparator("medusa-backend.mjs");

let server;
let code = 1;
const started = Date.now();
try {
  if (!existsSync(BIN)) {
    log("installing test-backends/medusa (npm ci, a few minutes the first time) …");
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: DIR,
      stdio: "inherit",
    });
  }
  await admin(DB, "DROP DATABASE IF EXISTS $DB");
  await admin(DB, "CREATE DATABASE $DB");
  log(`migrating ${DB} …`);
  execFileSync(BIN, ["db:migrate"], { cwd: DIR, env, stdio: "ignore" });
  execFileSync(BIN, ["user", "-e", ADMIN.email, "-p", ADMIN.password], {
    cwd: DIR,
    env,
    stdio: "ignore",
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The server itself, not npx: its PID is the one a test stops.
  server = spawn(BIN, ["start"], {
    cwd: DIR,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const until = Date.now() + 90_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`medusa start exited with ${server.exitCode}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error("medusa start did not answer /health within 90 s");
    await sleep(250);
  }
  const seeded = await seed(base);
  log(
    `Medusa 2.21.2 ready at ${base} (pid ${server.pid}) after ${Math.round((Date.now() - started) / 1000)} s`,
  );
  code = await runCommand(command, {
    MEDUSA_URL: base,
    MEDUSA_PID: String(server.pid),
    MEDUSA_JWT_SECRET: env.JWT_SECRET,
    MEDUSA_PUBLISHABLE_KEY: seeded.key,
    MEDUSA_REGION_ID: seeded.region,
    MEDUSA_VARIANT_ID: seeded.variant,
  });
} catch (error) {
  console.error(`medusa-backend: ${error.message}`);
  code = 1;
} finally {
  if (server !== undefined && server.exitCode === null) {
    server.kill("SIGTERM");
    await Promise.race([new Promise((r) => server.once("exit", r)), sleep(5000)]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  await admin(DB, "DROP DATABASE IF EXISTS $DB WITH (FORCE)").catch(() => {});
}
process.exit(code);
