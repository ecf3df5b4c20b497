// The pinned Medusa 2.21.2 in test-backends/medusa, as a process this repository controls:
// install it (its own lockfile), create and migrate a database, create the admin user, start
// `medusa start` and stop it. Shared by `npm run medusa` (scripts/medusa-dev.mjs, a database
// kept between runs) and `npm run test:medusa` (scripts/medusa-backend.mjs, a throw-away one).
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

export const DIR = path.resolve(import.meta.dirname, "../../test-backends/medusa");
const BIN = path.join(DIR, "node_modules/.bin/medusa");
export const PG = process.env.MEDUSA_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment Medusa reads (medusa-config.js), for one database and one set of secrets. */
export function medusaEnv(database, { jwtSecret, cookieSecret, extra = {} }) {
  return {
    ...process.env,
    DATABASE_URL: `${PG}/${database}`,
    JWT_SECRET: jwtSecret,
    COOKIE_SECRET: cookieSecret,
    MEDUSA_DISABLE_TELEMETRY: "true",
    // Medusa 2 serves the built server only under production; the admin UI is off in the config.
    NODE_ENV: "production",
    ...extra,
  };
}

/** `npm ci` in test-backends/medusa, only when the medusa CLI is missing (minutes, once). */
export function install(log) {
  if (existsSync(BIN)) return;
  log("installing test-backends/medusa (npm ci, a few minutes the first time) …");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: DIR,
    stdio: "inherit",
  });
}

async function onServer(sql, params = []) {
  const client = new pg.Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

// A database name goes into SQL as an identifier, so only plain names are accepted.
function identifier(name) {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new TypeError(`database name ${JSON.stringify(name)}: use a-z, 0-9 and _ only`);
  return `"${name}"`;
}

/** Creates the database unless it exists; resolves true when it was created now. */
export async function ensureDatabase(name) {
  const { rowCount } = await onServer("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (rowCount > 0) return false;
  await onServer(`CREATE DATABASE ${identifier(name)}`);
  return true;
}

export async function dropDatabase(name) {
  await onServer(`DROP DATABASE IF EXISTS ${identifier(name)} WITH (FORCE)`);
}

/** `medusa db:migrate`: a no-op on an up-to-date database, so it runs on every start. */
export async function migrate(env) {
  await runCli(["db:migrate"], env);
}

async function runCli(args, env) {
  try {
    await promisify(execFile)(BIN, args, { cwd: DIR, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    // The CLI's own output says what went wrong (a missing database, a bad migration …).
    const tail = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim().split("\n").slice(-15);
    throw new Error(`medusa ${args[0]} failed:\n${tail.join("\n")}`, { cause: error });
  }
}

/** A free loopback port, for a run that must not collide with anything else. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Throws a sentence when something already listens on the port (Medusa would only log it). */
export function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) =>
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `port ${port} is in use; choose another with MEDUSA_PORT=9001`
            : `port ${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/**
 * Starts `medusa start` on 127.0.0.1:port and resolves once /health answers. The child is the
 * server itself (the bin, not npx), so its PID is the one that stops it; `onSpawn` gets it at
 * once, for a caller that may have to stop it before it answers.
 */
export async function start(env, port, { timeout = 120_000, stdio = "ignore", onSpawn } = {}) {
  const server = spawn(BIN, ["start"], {
    cwd: DIR,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", stdio, "inherit"],
  });
  onSpawn?.(server);
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeout;
  try {
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error(`medusa start exited with ${server.exitCode ?? server.signalCode}`);
      const ok = await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return { server, base };
      if (Date.now() > until)
        throw new Error(`medusa start did not answer /health within ${timeout / 1000} s`);
      await sleep(250);
    }
  } catch (error) {
    await stop(server);
    throw error;
  }
}

/** SIGTERM, up to 10 s to finish, then SIGKILL; resolves once the process is gone. */
export async function stop(server) {
  if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  if (server.exitCode === null && server.signalCode === null) {
    server.kill("SIGKILL");
    await exited;
  }
}

/**
 * The admin user, idempotently: signs in, and only when that fails creates the user with
 * `medusa user` (a CLI run costs seconds, so a second start skips it). Resolves a token.
 */
export async function adminToken(base, env, { email, password }) {
  const signIn = () =>
    fetch(`${base}/auth/user/emailpass`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
  let res = await signIn();
  if (res.status === 401) {
    await runCli(["user", "-e", email, "-p", password], env);
    res = await signIn();
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok || typeof body.token !== "string")
    throw new Error(`admin sign-in answered ${res.status}: ${JSON.stringify(body)}`);
  return body.token;
}
