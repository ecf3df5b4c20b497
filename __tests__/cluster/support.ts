import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import path from "node:path";
import Redis from "ioredis";
import { createCluster } from "redis";

const nodes = (process.env.REDIS_CLUSTER_NODES ?? "").split(",").filter(Boolean);

/** The cluster's nodes; a run without them fails, it never skips. */
export function clusterNodes(): Array<{ host: string; port: number }> {
  if (nodes.length === 0) {
    throw new Error("REDIS_CLUSTER_NODES is not set: run these suites with `npm run test:cluster`");
  }
  return nodes.map((n) => {
    const [host, port] = n.split(":");
    return { host: host!, port: Number(port) };
  });
}

/**
 * An ioredis Cluster with the settings the README recommends: a command to a dead shard fails
 * fast instead of queueing, and the slot map is refreshed soon after a failover (ioredis
 * refreshes it when a node's connection fails).
 */
export function ioredisCluster(): InstanceType<typeof Redis.Cluster> {
  return new Redis.Cluster(clusterNodes(), {
    // While a shard is down its commands fail at once (the documented 500) instead of
    // queueing; the other shards are not held up by it.
    enableOfflineQueue: false,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    slotsRefreshTimeout: 1000,
    redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 1000 },
  });
}

/** A node-redis cluster with the README's settings, connected. */
export async function nodeRedisCluster() {
  const cluster = createCluster({
    rootNodes: clusterNodes().map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    defaults: {
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 1000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000),
      },
    },
  });
  cluster.on("error", () => {});
  await cluster.connect();
  return cluster;
}

const cli = (port: number, ...args: string[]) =>
  execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
    encoding: "utf8",
  }).trim();

/** The port of the master that holds `key`'s slot. */
export function masterOf(key: string): number {
  const [first] = clusterNodes();
  const slot = cli(first!.port, "cluster", "keyslot", key);
  for (const line of cli(first!.port, "cluster", "nodes").split("\n")) {
    const [, address, flags, , , , , , ...ranges] = line.split(" ");
    if (!flags!.includes("master") || flags!.includes("fail")) continue;
    for (const range of ranges) {
      const [lo, hi = lo] = range.split("-").map(Number);
      if (Number(slot) >= lo! && Number(slot) <= hi!)
        return Number(address!.split(":")[1]!.split("@")[0]);
    }
  }
  throw new Error(`no live master holds slot ${slot}`);
}

/**
 * Waits until every master's writes reached a replica (WAIT answers 1), so a failover loses
 * none of them. A node restarted by the case before is still copying its master's data for a
 * moment: WAIT answers 0 until it is done, and until then it could not take over either.
 */
export function replicate(): void {
  for (const { port } of clusterNodes()) {
    if (!cli(port, "role").startsWith("master")) continue;
    let acked = "0";
    for (let tries = 0; tries < 30 && acked !== "1"; tries++)
      acked = cli(port, "wait", "1", "1000");
    if (acked !== "1") throw new Error(`no replica of :${port} acknowledged its writes in 30 s`);
  }
}

/**
 * Resolves once a replica has taken over the killed master at `port` (another live master
 * holds its slots), polling without blocking the load. A node without persistence (these run
 * with `--save "" --appendonly no`) must not come back before that: it would rejoin as the
 * master of its slots with no data, and its replica would copy the empty data set. Redis's
 * replication docs say the same for any master without persistence.
 */
export async function failedOver(port: number, ms = 15_000): Promise<void> {
  const live = clusterNodes().find((n) => n.port !== port)!;
  const until = Date.now() + ms;
  let nodes = "";
  while (Date.now() < until) {
    const { stdout } = await promisify(execFile)("redis-cli", [
      "-h",
      live.host,
      "-p",
      String(live.port),
      "cluster",
      "nodes",
    ]);
    // id address flags master ping pong epoch link [slots…]: failed, and its slots gone.
    nodes = stdout;
    const killed = stdout.split("\n").find((line) => line.includes(`:${port}@`));
    const [, , flags = "", , , , , , ...slots] = killed?.trim().split(" ") ?? [];
    if (flags.split(",").includes("fail") && slots.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no replica took over :${port} within ${ms} ms; CLUSTER NODES:\n${nodes}`);
}

/** Starts a killed node again (it rejoins as a replica of the master that replaced it). */
export function restart(port: number): void {
  execFileSync(process.execPath, ["scripts/redis-cluster.mjs", "restart-node", String(port)], {
    stdio: "inherit",
  });
}

/** Kills a node with SIGKILL, as a crash would. */
export function kill(port: number): void {
  const pid = Number(
    readFileSync(path.join(process.env.REDIS_CLUSTER_DIR!, `${port}.pid`), "utf8"),
  );
  process.kill(pid, "SIGKILL");
}
