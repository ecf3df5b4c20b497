// `npm run medusa`: the pinned Medusa 2.21.2 (test-backends/medusa) as a local backend for the
// example app, in one command. Installs it once, keeps its database between runs (migrated on
// every start; the seed finds what an earlier run made), seeds a storefront's worth of data,
// prints the line that starts the example against it, and stops the server on Ctrl-C.
//
//   MEDUSA_PORT      where it listens on 127.0.0.1 (default 9000)
//   MEDUSA_DATABASE  its PostgreSQL database (default bff_medusa_dev), on MEDUSA_PG_URL
//                    (default postgres://postgres@127.0.0.1:5432)
//   MEDUSA_LOGS=1    show the server's own log
//   EXAMPLE_PORT     where the example will listen on 127.0.0.1 (default 3000): the backend's
//                    customer.deleted subscriber calls the example's back-channel there
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildPackage } from "./build-if-stale.mjs";
import * as backend from "./medusa/backend.mjs";
import { seed } from "./medusa/seed.mjs";

const PORT = Number(process.env.MEDUSA_PORT ?? 9000);
const DATABASE = process.env.MEDUSA_DATABASE ?? "bff_medusa_dev";
const ADMIN_EMAIL = "admin@bff.test";
const EXAMPLE_PORT = Number(process.env.EXAMPLE_PORT ?? 3000);
const BACK_CHANNEL_URL = `http://127.0.0.1:${EXAMPLE_PORT}/bff/back-channel`;
// Generated once and kept beside the backend (git-ignored): the same JWT secret across runs keeps
// the printed line valid, and the admin password signs the seed in again on the next run.
const SECRETS_FILE = path.join(backend.DIR, ".dev-secrets.json");

const log = (message) => console.log(`medusa: ${message}`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The kept secrets; any missing (a first run, or a file from an older version) is added. */
function secrets() {
  const kept = existsSync(SECRETS_FILE) ? JSON.parse(readFileSync(SECRETS_FILE, "utf8")) : {};
  const random = () => randomBytes(32).toString("base64url");
  const names = ["jwtSecret", "cookieSecret", "adminPassword", "backChannelSecret"];
  if (names.every((name) => typeof kept[name] === "string")) return kept;
  for (const name of names) kept[name] ??= random();
  writeFileSync(SECRETS_FILE, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  return kept;
}

let server;
let stopping = false;
// Ctrl-C (or a service manager's SIGTERM) at any point: stop the server by its own PID, wait
// for it to exit, then exit 0. A CLI step still running (migrate) gets the terminal's SIGINT too.
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  if (server !== undefined) log(`${signal}: stopping the server (pid ${server.pid}) …`);
  await backend.stop(server);
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
// `npm run medusa` sent SIGTERM exits without passing it on; a parent that went away (this
// process re-parented) stops the server too, instead of leaving it bound to the port.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && shutdown("parent exited"), 1000).unref();

try {
  for (const [name, port] of [
    ["MEDUSA_PORT", PORT],
    ["EXAMPLE_PORT", EXAMPLE_PORT],
  ])
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`${name}=${process.env[name]} is not a port number`);
  // Before the slow steps, so a port in use fails in a second, not after the migration.
  await backend.assertPortFree(PORT);
  const started = Date.now();
  backend.install(log);
  // The backend's customer.deleted subscriber (bff-session/medusa) loads the built package.
  buildPackage();
  const { jwtSecret, cookieSecret, adminPassword, backChannelSecret } = secrets();
  const env = backend.medusaEnv(DATABASE, {
    jwtSecret,
    cookieSecret,
    extra: {
      BFF_BACK_CHANNEL_URL: BACK_CHANNEL_URL,
      BFF_BACK_CHANNEL_SECRET: backChannelSecret,
    },
  });

  let step = Date.now();
  const created = await backend.ensureDatabase(DATABASE);
  log(`${created ? "created" : "using"} database ${DATABASE}; migrating …`);
  await backend.migrate(env);
  log(`migrated in ${seconds(step)}`);

  step = Date.now();
  await backend.start(env, PORT, {
    stdio: process.env.MEDUSA_LOGS ? "inherit" : "ignore",
    // Known from the spawn on, so a signal during the start-up wait stops it too.
    onSpawn: (child) => (server = child),
  });
  const base = `http://127.0.0.1:${PORT}`;
  log(`server up at ${base} (pid ${server.pid}) in ${seconds(step)}`);

  step = Date.now();
  const token = await backend.adminToken(base, env, {
    email: ADMIN_EMAIL,
    password: adminPassword,
  });
  const seeded = await seed(base, token);
  log(`seeded in ${seconds(step)}; ready after ${seconds(started)}`);

  server.once("exit", (code, signal) => {
    if (stopping) return;
    console.error(`medusa: the server exited unexpectedly (${code ?? signal})`);
    process.exit(1);
  });
  console.log(`
Medusa 2.21.2 is running at ${base} (database ${DATABASE}; admin API user ${ADMIN_EMAIL},
password in ${path.relative(process.cwd(), SECRETS_FILE)}). Start the example against it in another terminal:

  MEDUSA_URL=${base} MEDUSA_JWT_SECRET=${jwtSecret} MEDUSA_PUBLISHABLE_KEY=${seeded.publishableKey} BFF_BACK_CHANNEL_SECRET=${backChannelSecret}${EXAMPLE_PORT === 3000 ? "" : ` PORT=${EXAMPLE_PORT}`} npm start

Region ${seeded.regionId} (EUR, Germany), shipping option ${seeded.shippingOptionId}, variants ${seeded.variantIds.join(",")}.
A customer deleted in the backend is signed out of the example: Medusa calls ${BACK_CHANNEL_URL}.
Ctrl-C stops the server; the database stays for the next run.
`);
} catch (error) {
  console.error(`medusa: ${error.message}`);
  stopping = true;
  await backend.stop(server);
  process.exit(1);
}
