// A real Medusa 2.21.2 backend on loopback for `npm run test:medusa`:
// `node scripts/medusa-backend.mjs -- <command…>` installs test-backends/medusa if needed (its
// own lockfile), creates a fresh PostgreSQL database, migrates it, starts `medusa start` on a
// free port (the server's own PID, not npx's), creates the admin user, seeds it as
// `npm run medusa` does (scripts/medusa/seed.mjs), runs the command with MEDUSA_* set, and stops
// the server and drops the database afterwards, also when the command fails.
//
// The command gets MEDUSA_URL, MEDUSA_PID, MEDUSA_JWT_SECRET, MEDUSA_PUBLISHABLE_KEY,
// MEDUSA_REGION_ID, MEDUSA_SALES_CHANNEL_ID, MEDUSA_STOCK_LOCATION_ID,
// MEDUSA_SHIPPING_OPTION_ID, MEDUSA_VARIANT_ID (a variant with stock at the location) and
// MEDUSA_VARIANT_IDS (all seeded variants, comma-separated); for the account suite, the admin's
// credentials, the back-channel the backend's customer.deleted subscriber calls
// (MEDUSA_BFF_BACK_CHANNEL_URL, a free port the suite listens on, and its secret) and the file
// its auth.password_reset test subscriber writes reset tokens to (MEDUSA_PASSWORD_RESET_OUTBOX).
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as backend from "./medusa/backend.mjs";
import { seed } from "./medusa/seed.mjs";
import { commandAfterSeparator, runCommand } from "./run-command.mjs";

const DB = `bff_medusa_test_${process.pid}`;
const ADMIN = { email: "admin@bff.test", password: "admin-password-for-tests-1" };
// test-backends/medusa/src/subscribers: bff-session/medusa's subscriber and a reset-token outbox.
const BACK_CHANNEL = {
  url: `http://127.0.0.1:${await backend.freePort()}/bff/back-channel`,
  secret: "bff-back-channel-secret-for-tests-0123456789",
};
const OUTBOX = path.join(tmpdir(), `bff-medusa-password-resets-${process.pid}.jsonl`);
const env = backend.medusaEnv(DB, {
  jwtSecret: "medusa-test-jwt-secret-at-least-32-bytes-long",
  cookieSecret: "medusa-test-cookie-secret-0123456789",
  extra: {
    // Turns on Medusa's TOTP MFA (its auth module encrypts factor secrets with it).
    AUTH_MFA_ENCRYPTION_KEY: "medusa-test-mfa-encryption-key-0123456789",
    // Short-lived tokens, so the refresh flow runs in seconds.
    JWT_EXPIRES_IN: process.env.MEDUSA_JWT_EXPIRES_IN ?? "20s",
    BFF_BACK_CHANNEL_URL: BACK_CHANNEL.url,
    BFF_BACK_CHANNEL_SECRET: BACK_CHANNEL.secret,
    BFF_TEST_OUTBOX: OUTBOX,
  },
});
const log = (message) => console.log(`medusa-backend: ${message}`);

const command = commandAfterSeparator("medusa-backend.mjs");

let server;
let code = 1;
const started = Date.now();
try {
  backend.install(log);
  await backend.dropDatabase(DB);
  await backend.ensureDatabase(DB);
  log(`migrating ${DB} …`);
  await backend.migrate(env);
  let base;
  ({ server, base } = await backend.start(env, await backend.freePort(), { stdio: "ignore" }));
  const token = await backend.adminToken(base, env, ADMIN);
  const seeded = await seed(base, token);
  log(
    `Medusa 2.21.2 ready at ${base} (pid ${server.pid}) after ${Math.round((Date.now() - started) / 1000)} s`,
  );
  code = await runCommand(command, {
    MEDUSA_URL: base,
    MEDUSA_PID: String(server.pid),
    MEDUSA_JWT_SECRET: env.JWT_SECRET,
    MEDUSA_PUBLISHABLE_KEY: seeded.publishableKey,
    MEDUSA_REGION_ID: seeded.regionId,
    MEDUSA_SALES_CHANNEL_ID: seeded.salesChannelId,
    MEDUSA_STOCK_LOCATION_ID: seeded.stockLocationId,
    MEDUSA_SHIPPING_OPTION_ID: seeded.shippingOptionId,
    MEDUSA_VARIANT_ID: seeded.variantIds[0],
    MEDUSA_VARIANT_IDS: seeded.variantIds.join(","),
    MEDUSA_ADMIN_EMAIL: ADMIN.email,
    MEDUSA_ADMIN_PASSWORD: ADMIN.password,
    MEDUSA_BFF_BACK_CHANNEL_URL: BACK_CHANNEL.url,
    MEDUSA_BFF_BACK_CHANNEL_SECRET: BACK_CHANNEL.secret,
    MEDUSA_PASSWORD_RESET_OUTBOX: OUTBOX,
  });
} catch (error) {
  console.error(`medusa-backend: ${error.message}`);
  code = 1;
} finally {
  // The command may have stopped the server itself (stopped-backend.test.ts); stop() allows that.
  await backend.stop(server);
  await backend.dropDatabase(DB).catch(() => {});
  rmSync(OUTBOX, { force: true });
}
process.exit(code);
