// A throwaway Redis Cluster on loopback: three masters and three replicas on high ports, data
// in a temporary folder. `node scripts/redis-cluster.mjs -- <command…>` starts it, runs the
// command with REDIS_CLUSTER_NODES set, and stops the cluster afterwards, also when the
// command fails or the script is interrupted. Used by `npm run test:cluster`.
// `node scripts/redis-cluster.mjs restart-node <port>` (with REDIS_CLUSTER_DIR from the run)
// starts a node that a failover test killed again, as an orchestrator would.
import { execFileSync } from "node:child_process";
import { commandAfterSeparator, runCommand } from "./run-command.mjs";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BASE = Number(process.env.REDIS_CLUSTER_BASE_PORT ?? 30001);
const PORTS = Array.from({ length: 6 }, (_, i) => BASE + i);
// Redis puts a node's cluster bus at its port + 10000 unless told otherwise: 40001–40006, inside
// Linux's ephemeral range (32768–60999), where any outgoing connection of the machine may hold
// the port and the node then fails to start. The bus ports are set below that range instead.
const busPort = (port) => port + 1000;
const HOST = "127.0.0.1";
const restarting = process.argv[2] === "restart-node";
const dir = restarting
  ? process.env.REDIS_CLUSTER_DIR
  : mkdtempSync(path.join(tmpdir(), "bff-redis-cluster-"));

const cli = (port, ...args) =>
  execFileSync("redis-cli", ["-h", HOST, "-p", String(port), ...args], { encoding: "utf8" }).trim();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function start(ports = PORTS) {
  for (const port of ports) {
    execFileSync("redis-server", [
      "--port",
      String(port),
      "--bind",
      HOST,
      "--daemonize",
      "yes",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      path.join(dir, `nodes-${port}.conf`),
      // A short node timeout: a dead master is failed over in about two seconds.
      "--cluster-node-timeout",
      "2000",
      "--cluster-port",
      String(busPort(port)),
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--pidfile",
      path.join(dir, `${port}.pid`),
      "--logfile",
      path.join(dir, `${port}.log`),
    ]);
  }
}

/** Refuses to start over a port something else already listens on, naming it. */
async function assertFree(ports) {
  for (const port of ports) {
    const taken = await new Promise((resolve) => {
      const probe = createServer()
        .once("error", () => resolve(true))
        .listen(port, HOST, () => probe.close(() => resolve(false)));
    });
    if (taken)
      throw new Error(`port ${HOST}:${port} is taken; set REDIS_CLUSTER_BASE_PORT to a free range`);
  }
}

/** The end of a node's log, which says why it did not come up. */
function logTail(port) {
  try {
    return readFileSync(path.join(dir, `${port}.log`), "utf8")
      .trim()
      .split("\n")
      .slice(-8)
      .join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitFor(check, what, ms = 20_000, port) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      const log = port === undefined ? "" : `\n${port}.log ends with:\n${logTail(port)}`;
      throw new Error(`redis-cluster: ${what} within ${ms} ms${log}`);
    }
    await sleep(100);
  }
}

function stop() {
  for (const port of PORTS) {
    try {
      const pid = Number(readFileSync(path.join(dir, `${port}.pid`), "utf8"));
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone (a failover test killed it, or it never started)
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

if (restarting) {
  const port = Number(process.argv[3]);
  start([port]);
  await waitFor(() => cli(port, "ping") === "PONG", `port ${port} answers`, 20_000, port);
  process.exit(0);
}

const command = commandAfterSeparator("redis-cluster.mjs");

let code = 1;
try {
  await assertFree([...PORTS, ...PORTS.map(busPort)]);
  start();
  for (const port of PORTS)
    await waitFor(() => cli(port, "ping") === "PONG", `port ${port} answers`, 20_000, port);
  execFileSync(
    "redis-cli",
    [
      "--cluster",
      "create",
      ...PORTS.map((p) => `${HOST}:${p}`),
      "--cluster-replicas",
      "1",
      "--cluster-yes",
    ],
    { stdio: "ignore" },
  );
  for (const port of PORTS) {
    await waitFor(
      () => cli(port, "cluster", "info").includes("cluster_state:ok"),
      `cluster ok on ${port}`,
    );
  }
  // cluster_state:ok comes before the replicas have copied their masters; a replica that never
  // synced would not take over a failed master.
  for (const port of PORTS) {
    await waitFor(() => {
      const info = cli(port, "info", "replication");
      return !info.includes("role:master") || /slave0:.*state=online/.test(info);
    }, `the replica of ${port} in sync`);
  }
  console.log(
    `redis-cluster: 3 masters + 3 replicas on ${HOST}:${PORTS[0]}-${PORTS.at(-1)} (${dir})`,
  );
  code = await runCommand(command, {
    REDIS_CLUSTER_NODES: PORTS.map((p) => `${HOST}:${p}`).join(","),
    REDIS_CLUSTER_DIR: dir,
  });
} catch (error) {
  console.error(`redis-cluster: ${error.message}`);
} finally {
  stop();
}
process.exit(code);
