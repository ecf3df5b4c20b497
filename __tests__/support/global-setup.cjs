// Decides once, before any worker starts, whether the Redis suites can run.
// Under CI=true a Redis that does not answer fails the whole run; elsewhere the Redis suites
// are skipped and this says so loudly (workers read BFF_TEST_REDIS).
const net = require("node:net");

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

module.exports = async function globalSetup() {
  const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  process.env.REDIS_URL = url;
  if (await ping(url)) {
    process.env.BFF_TEST_REDIS = "1";
    return;
  }
  if (process.env.CI === "true" || process.env.CI === "1") {
    throw new Error(`Redis at ${url} does not answer PING; the Redis suites cannot run (CI=true).`);
  }
  process.env.BFF_TEST_REDIS = "0";
  console.warn(
    `\n\n  !!! Redis at ${url} does not answer: the Redis suites are SKIPPED.\n` +
      "  !!! Start Redis (or set REDIS_URL) to run them; under CI=true this fails the run.\n\n",
  );
};
