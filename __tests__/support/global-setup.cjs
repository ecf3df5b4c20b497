// Decides once, before any worker starts, whether the Redis and PostgreSQL suites can run.
// Under CI=true a server that does not answer fails the whole run; elsewhere its suites are
// skipped and this says so loudly (workers read BFF_TEST_REDIS / BFF_TEST_PG).
const net = require("node:net");
const { DATABASE_URL, ensureDatabase } = require("../../scripts/test-database.cjs");

const CI = process.env.CI === "true" || process.env.CI === "1";

function ping(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

function unavailable(what, url, variable) {
  if (CI) throw new Error(`${what} at ${url} does not answer; its suites cannot run (CI=true).`);
  process.env[variable] = "0";
  console.warn(
    `\n\n  !!! ${what} at ${url} does not answer: its suites are SKIPPED.\n` +
      `  !!! Start it to run them; under CI=true this fails the run.\n\n`,
  );
}

module.exports = async function globalSetup() {
  const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  process.env.REDIS_URL = redisUrl;
  if (await ping(redisUrl)) process.env.BFF_TEST_REDIS = "1";
  else unavailable("Redis", redisUrl, "BFF_TEST_REDIS");

  process.env.DATABASE_URL = DATABASE_URL;
  if (await ensureDatabase(DATABASE_URL)) process.env.BFF_TEST_PG = "1";
  else unavailable("PostgreSQL", DATABASE_URL, "BFF_TEST_PG");
};
