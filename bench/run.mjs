// npm run bench — every case in one run on this machine: each server in its own child process
// on 127.0.0.1, autocannon in this process. All servers start first; then each round measures
// every case once for a second, in turn, forwards in one round and backwards in the next, so a
// floor and its case are measured next to each other, each first in half the rounds, and a
// slow spell of the shared machine hits both alike. Reports median req/s, p99 and server CPU
// per request (µs), ratios to the floors and competitors, checks the targets, and writes
// bench/results/latest.json.
import { execSync, fork, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Redis from "ioredis";
import { DATABASE_URL, ensureDatabase } from "../scripts/test-database.cjs";
import { loginRequests } from "./login-requests.mjs";

// Many short rounds rather than a few long ones: this machine's speed drifts by a quarter
// within seconds (the bare-Express ceiling's CPU per request went from 232 to 374 µs between
// rounds of one run), so two cases are compared only when measured a second apart.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
// Unmeasured load when a server is continued, before its measured second: timers that came due
// while it was stopped run here, not in the figures.
const LEAD_IN = 0.25;
// Seconds of unmeasured load per server process before the rounds. V8 needs about this long to
// optimise a login under load here: after 2 s, the first round still cost the POST cases up to
// twice their later CPU per request.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 6);
// Server processes per case, taking turns (two rounds each). The same code measured in four
// processes at once differed by up to 12% in CPU per request from one process to another,
// more than from one round to the next: one process's luck must not be the case's figure.
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const ALL_CASES = [
  { id: "ceiling", label: "ceiling: bare Express" },
  { id: "minimum-get", label: "floor (GET, memory): cookie-parser + Map" },
  { id: "bff-get-memory", label: "bff-session GET, memory", competitor: "minimum-get" },
  { id: "express-session-get-memory", label: "express-session GET, memory" },
  { id: "minimum-get-redis", label: "floor (GET, Redis): cookie-parser + GET + JSON.parse" },
  { id: "bff-get-redis", label: "bff-session GET, Redis", competitor: "minimum-get-redis" },
  { id: "express-session-get-redis", label: "express-session GET, Redis" },
  {
    id: "bff-get-postgres",
    label: "bff-session GET, PostgreSQL",
    competitor: "express-session-get-postgres",
  },
  { id: "express-session-get-postgres", label: "express-session GET, connect-pg-simple" },
  { id: "minimum-post", label: "floor (POST, memory): jose HS256 + Map + Set-Cookie" },
  { id: "bff-post-memory", label: "bff-session POST, memory", competitor: "minimum-post" },
  {
    id: "bff-post-memory-observed",
    label: "bff-session POST, memory, a no-op subscriber on every channel",
    competitor: "bff-post-memory",
  },
  { id: "minimum-post-redis", label: "floor (POST, Redis): jose HS256 + SET PX + Set-Cookie" },
  { id: "bff-post-redis", label: "bff-session POST, Redis", competitor: "minimum-post-redis" },
  { id: "express-session-post-redis", label: "express-session POST, Redis" },
  {
    id: "bff-post-postgres",
    label: "bff-session POST, PostgreSQL",
    competitor: "express-session-post-postgres",
  },
  { id: "express-session-post-postgres", label: "express-session POST, connect-pg-simple" },
  {
    id: "bff-post-es256-jwks",
    label: "bff-session POST, ES256 + remote JWKS",
    competitor: "bff-post-memory",
  },
  { id: "backend-direct", label: "backend stand-in, called directly: GET /store/customers/me" },
  { id: "minimum-forward", label: "floor (forward): undici + bearer, hand-written" },
  {
    id: "bff-forward",
    label: "bff-session storeApi(): GET /store/customers/me",
    competitor: "minimum-forward",
  },
  {
    id: "bff-forward-observed",
    label: "bff-session storeApi(), a no-op subscriber on every channel",
    competitor: "bff-forward",
  },
  { id: "minimum-forward-8k", label: "floor (forward): a guest's 8 KiB answer, undici, streamed" },
  {
    id: "bff-forward-8k",
    label: "bff-session storeApi(): a guest's 8 KiB answer, buffered",
    competitor: "minimum-forward-8k",
  },
];

// BENCH_CASES=a,b,c runs only those cases (a quick look while working on one path).
const only = process.env.BENCH_CASES?.split(",").map((c) => c.trim());
const CASES = only ? ALL_CASES.filter((c) => only.includes(c.id)) : ALL_CASES;

const TARGETS = [
  { a: "bff-get-memory", b: "minimum-get", min: 0.97 },
  { a: "bff-get-redis", b: "minimum-get-redis", min: 0.97 },
  { a: "bff-get-memory", b: "express-session-get-memory", min: 1.5 },
  { a: "bff-get-redis", b: "express-session-get-redis", min: 1.4 },
  { a: "bff-post-memory", b: "minimum-post", min: 0.95 },
  { a: "bff-post-redis", b: "minimum-post-redis", min: 0.9 },
  { a: "bff-post-redis", b: "express-session-post-redis", min: 1.3 },
  { a: "bff-get-postgres", b: "express-session-get-postgres", min: 1 },
  { a: "bff-post-postgres", b: "express-session-post-postgres", min: 1 },
  { a: "bff-forward", b: "minimum-forward", min: 0.9 },
  { a: "bff-forward-8k", b: "minimum-forward-8k", min: 0.9 },
];

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function load(plan, seconds) {
  const headers = {};
  if (plan.cookie) headers.cookie = plan.cookie;
  // Logins cycle through many customers' tokens; reads send one session's cookie.
  const requests = loginRequests(plan.authorizations);
  return autocannon({
    url: plan.url,
    method: plan.method,
    headers,
    requests,
    connections: CONNECTIONS,
    duration: seconds,
  });
}

// On a small machine the scheduler keeps moving the server and the load generator onto the
// same core, and repeated runs disagreed by ±6% on the same code. So, where taskset can and
// there are two cores or more, the load generator (this process) runs on the first core and
// every server on the second; Redis and PostgreSQL stay with the scheduler. BENCH_PIN=0 turns
// it off.
const PIN =
  process.env.BENCH_PIN !== "0" &&
  os.availableParallelism() >= 2 &&
  spawnSync("taskset", ["-a", "-cp", "0", String(process.pid)], { stdio: "ignore" }).status === 0;

// Every server runs without V8's memory reducer. A stopped server looks idle to it: continued
// after a minute, it shrank the heap and the measured second paid for growing it back. With
// the reducer, the same two GET cases with 20 s stops between turns measured 128–295 µs of
// CPU per request; without it, 150–199 µs. A server under steady load never meets this.
const NODE_FLAGS = ["--no-memory-reducer"];

async function start(spec, env = process.env) {
  const script = fileURLToPath(new URL("./servers.mjs", import.meta.url));
  const options = { stdio: ["ignore", "inherit", "inherit", "ipc"], env };
  const child = PIN
    ? spawn("taskset", ["-c", "1", process.execPath, ...NODE_FLAGS, script, spec.id], options)
    : fork(script, [spec.id], { ...options, execArgv: NODE_FLAGS });
  // A server that fails at setup (a store it cannot reach) ends the run instead of hanging it.
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`bench: the ${spec.id} server exited with code ${code} before it was ready`);
  });
  const [plan] = await Promise.race([once(child, "message"), exited]);
  const cpu = async () => {
    child.send("cpu");
    for (;;) {
      const [message] = await once(child, "message");
      if (message.type === "cpu")
        return {
          cpu: message.usage.user + message.usage.system,
          system: message.usage.system,
          gc: message.gcMs * 1000,
          majorGcs: message.majorGcs,
        };
    }
  };
  return { spec, child, plan, cpu };
}

async function round(server, seconds) {
  const usesRedis = server.spec.id.includes("redis");
  const redisBefore = usesRedis ? await redisCpu() : 0;
  const before = await server.cpu();
  const r = await load(server.plan, seconds);
  const after = await server.cpu();
  const redisAfter = usesRedis ? await redisCpu() : 0;
  if (r.errors > 0 || r.non2xx > 0)
    throw new Error(`${server.spec.id}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
  return {
    rps: r.requests.total / r.duration,
    p99: r.latency.p99,
    cpuUs: (after.cpu - before.cpu) / r.requests.total,
    gcUs: (after.gc - before.gc) / r.requests.total,
    systemUs: (after.system - before.system) / r.requests.total,
    majorGcs: after.majorGcs - before.majorGcs,
    ...(usesRedis && { redisUs: (redisAfter - redisBefore) / r.requests.total }),
  };
}

// Redis's own CPU time so far (µs), from INFO: what a case costs the Redis server, which shares
// the machine's cores with everything else here. Cases run one at a time, so the difference
// over a round is that case's.
let redisInfo;
async function redisCpu() {
  redisInfo ??= new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const info = await redisInfo.info("cpu");
  const seconds = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return (seconds("used_cpu_user") + seconds("used_cpu_sys")) * 1e6;
}

const started = Date.now();
// Each case's server processes, and the backend stand-ins the forwarding cases call.
const instances = Object.fromEntries(CASES.map((c) => [c.id, []]));
const backends = [];
const rounds = Object.fromEntries(CASES.map((c) => [c.id, []]));
try {
  if (CASES.some((c) => c.id.includes("postgres"))) {
    if (!(await ensureDatabase(DATABASE_URL)))
      throw new Error(`bench: PostgreSQL at ${DATABASE_URL} does not answer`);
  }
  // Processes are started in turn across the cases (a0 b0 … a1 b1 …), each set of them with a
  // backend stand-in of its own for the forwarding cases.
  const forwarding = CASES.some((c) => c.id.includes("forward"));
  for (let k = 0; k < PROCESSES; k++) {
    const backend = forwarding ? await start({ id: "backend-direct" }) : undefined;
    if (backend !== undefined) backends.push(backend);
    const env = backend && { ...process.env, BENCH_BACKEND_URL: new URL(backend.plan.url).origin };
    for (const spec of CASES) {
      const server = await start(spec, env);
      // Only the processes a case needs run during its turn; the others are stopped (SIGSTOP),
      // so their timers and the collector's work after a busy spell do not land in its figures.
      server.needs = spec.id.includes("forward") ? [server, backend] : [server];
      instances[spec.id].push(server);
    }
  }
  const signal = (list, name) => list.forEach(({ child }) => child.kill(name));
  const measure = async (server, seconds) => {
    signal(server.needs, "SIGCONT");
    try {
      await load(server.plan, LEAD_IN);
      return await round(server, seconds);
    } finally {
      // Requests still in flight when the load stopped finish first: stopped halfway, their
      // store calls would time out when the server is continued.
      await sleep(300);
      signal(server.needs, "SIGSTOP");
    }
  };
  const servers = Object.values(instances).flat();
  signal([...servers, ...backends], "SIGSTOP");
  process.stderr.write(`bench: ${servers.length} servers up; warm-up …\n`);
  for (const server of servers) await measure(server, WARMUP);
  for (let i = 0; i < ROUNDS; i++) {
    process.stderr.write(`bench: round ${i + 1} of ${ROUNDS} …\n`);
    // A set of processes serves two rounds in a row, one forwards and one backwards.
    const k = Math.floor(i / 2) % PROCESSES;
    const turn = CASES.map((c) => instances[c.id][k]);
    for (const server of i % 2 === 0 ? turn : turn.reverse()) {
      rounds[server.spec.id].push({ ...(await measure(server, SECONDS)), process: k });
    }
  }
} finally {
  const all = [...Object.values(instances).flat(), ...backends];
  for (const { child } of all) child.kill("SIGCONT");
  for (const { child } of all) child.send("stop");
  await Promise.all(all.map(({ child }) => once(child, "exit")));
  redisInfo?.disconnect();
}

const results = Object.fromEntries(
  CASES.map(({ id }) => [
    id,
    {
      rps: median(rounds[id].map((r) => r.rps)),
      p99: median(rounds[id].map((r) => r.p99)),
      cpuUs: median(rounds[id].map((r) => r.cpuUs)),
      gcUs: median(rounds[id].map((r) => r.gcUs)),
      redisUs:
        rounds[id][0]?.redisUs === undefined ? undefined : median(rounds[id].map((r) => r.redisUs)),
      rounds: rounds[id],
    },
  ]),
);

const ceiling = results.ceiling?.rps;
const fmt = (n, d = 2) => n.toFixed(d);
const rows = CASES.map((spec) => {
  const r = results[spec.id];
  const rival = spec.competitor && results[spec.competitor];
  const vs = rival
    ? `${fmt(r.rps / rival.rps)} × (CPU ${fmt(rival.cpuUs / r.cpuUs)} ×) ${spec.competitor}`
    : "";
  const share = ceiling ? fmt(r.rps / ceiling) : "";
  const redis = r.redisUs === undefined ? "" : `; Redis ${Math.round(r.redisUs)} µs`;
  return `| ${spec.label} | ${Math.round(r.rps).toLocaleString("en")} | ${Math.round(r.cpuUs)} µs (GC ${Math.round(r.gcUs)})${redis} | ${fmt(r.p99, 0)} ms | ${share} | ${vs} |`;
});
// Per round, a ratio of two cases measured next to each other; the target uses their median.
const targets = TARGETS.filter((t) => results[t.a] && results[t.b]).map((t) => {
  const perRound = rounds[t.a].map((r, i) => r.rps / rounds[t.b][i].rps);
  const ratio = median(perRound);
  const cpuRatio = results[t.b].cpuUs / results[t.a].cpuUs;
  // With Redis's share: what the whole machine spends per request.
  const total = (r) => (r.redisUs === undefined ? undefined : r.cpuUs + r.redisUs);
  const totalA = total(results[t.a]);
  const totalB = total(results[t.b]);
  const withRedisRatio = totalA && totalB ? totalB / totalA : undefined;
  return {
    ...t,
    ratio,
    min_round: Math.min(...perRound),
    max_round: Math.max(...perRound),
    cpuRatio,
    withRedisRatio,
    met: ratio >= t.min,
  };
});
const version = (name) =>
  JSON.parse(execSync(`npm ls ${name} --json --depth=0`, { encoding: "utf8" })).dependencies?.[name]
    ?.version;
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const versions = [
  "express",
  "express-session",
  "connect-redis",
  "connect-pg-simple",
  "ioredis",
  "pg",
  "jose",
]
  .map((n) => `${n} ${version(n)}`)
  .join(", ");

const table = [
  "| case | req/s (median) | server CPU / request (of it GC; Redis's CPU) | p99 | × ceiling | vs floor or competitor (req/s; CPU) |",
  "|---|---|---|---|---|---|",
  ...rows,
  "",
  "| target | ratio (median of rounds) | rounds | CPU ratio | needed | |",
  "|---|---|---|---|---|---|",
  ...targets.map(
    (t) =>
      `| ${t.a} / ${t.b} | ${fmt(t.ratio)} | ${fmt(t.min_round)}–${fmt(t.max_round)} | ${fmt(t.cpuRatio)}${t.withRedisRatio ? ` (with Redis ${fmt(t.withRedisRatio)})` : ""} | ≥ ${t.min} | ${t.met ? "met" : "**not met**"} |`,
  ),
].join("\n");

console.log(`\n${table}\n`);
console.log(`machine: ${machine}`);
console.log(`versions: ${versions}`);
console.log(
  `settings: ${CONNECTIONS} connections, ${PROCESSES} server processes per case, warm-up ${WARMUP} s each, ${ROUNDS} rounds × ${SECONDS} s (forwards, then backwards), ${PIN ? "load generator on core 0, servers on core 1" : "not pinned to cores"}; took ${Math.round((Date.now() - started) / 1000)} s`,
);

// Only a full run replaces the committed results.
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL(only ? "./results/partial.tmp.json" : "./results/latest.json", import.meta.url),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine,
      versions,
      settings: { CONNECTIONS, WARMUP, ROUNDS, SECONDS, PROCESSES, PIN },
      results,
      targets,
    },
    null,
    2,
  ) + "\n",
);
