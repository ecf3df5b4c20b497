// npm run bench — every case in one run on this machine: each server in its own child process
// on 127.0.0.1, autocannon in this process, a warm-up and several measured rounds per case.
// Prints a table of median req/s and p99 with ratios to the ceiling and to each competitor,
// checks the targets, and writes bench/results/latest.json.
import { execSync, fork } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import autocannon from "autocannon";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const ALL_CASES = [
  { id: "ceiling", label: "ceiling: bare Express" },
  { id: "minimum-get", label: "minimum (GET): cookie-parser + Map" },
  {
    id: "bff-get-memory",
    label: "bff-session GET, memory",
    competitor: "express-session-get-memory",
  },
  { id: "express-session-get-memory", label: "express-session GET, memory" },
  { id: "bff-get-redis", label: "bff-session GET, Redis", competitor: "express-session-get-redis" },
  { id: "express-session-get-redis", label: "express-session GET, Redis" },
  { id: "minimum-post", label: "minimum (POST): jose HS256 + Map + Set-Cookie" },
  { id: "bff-post-memory", label: "bff-session POST, memory", competitor: "minimum-post" },
  { id: "express-session-post-redis", label: "express-session POST, Redis" },
  {
    id: "bff-post-redis",
    label: "bff-session POST, Redis",
    competitor: "express-session-post-redis",
  },
  {
    id: "bff-post-es256-jwks",
    label: "bff-session POST, ES256 + remote JWKS",
    competitor: "bff-post-memory",
  },
];

// BENCH_CASES=a,b,c runs only those cases (a quick look while working on one path).
const only = process.env.BENCH_CASES?.split(",").map((c) => c.trim());
const CASES = only ? ALL_CASES.filter((c) => only.includes(c.id)) : ALL_CASES;

const TARGETS = [
  { a: "bff-get-memory", b: "minimum-get", min: 0.95 },
  { a: "bff-get-memory", b: "express-session-get-memory", min: 1.5 },
  { a: "bff-get-redis", b: "express-session-get-redis", min: 1.4 },
  { a: "bff-post-memory", b: "minimum-post", min: 0.9 },
  { a: "bff-post-redis", b: "express-session-post-redis", min: 1.3 },
];

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function load(plan, seconds) {
  const headers = {};
  if (plan.cookie) headers.cookie = plan.cookie;
  if (plan.authorization) headers.authorization = plan.authorization;
  return autocannon({
    url: plan.url,
    method: plan.method,
    headers,
    connections: CONNECTIONS,
    duration: seconds,
  });
}

async function measure(spec) {
  const child = fork(new URL("./servers.mjs", import.meta.url), [spec.id], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const [plan] = await once(child, "message");
    await load(plan, WARMUP);
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await load(plan, SECONDS);
      if (r.errors > 0 || r.non2xx > 0)
        throw new Error(`${spec.id}: ${r.errors} errors, ${r.non2xx} non-2xx responses`);
      rounds.push({ rps: r.requests.average, p99: r.latency.p99 });
    }
    return { rps: median(rounds.map((r) => r.rps)), p99: median(rounds.map((r) => r.p99)), rounds };
  } finally {
    child.send("stop");
    await once(child, "exit");
  }
}

const started = Date.now();
const results = {};
for (const spec of CASES) {
  process.stderr.write(`bench: ${spec.label} …\n`);
  results[spec.id] = await measure(spec);
}

const ceiling = results.ceiling?.rps;
const fmt = (n, d = 2) => n.toFixed(d);
const rows = CASES.map((spec) => {
  const r = results[spec.id];
  const rival = spec.competitor && results[spec.competitor];
  const vs = rival ? `${fmt(r.rps / rival.rps)} × ${spec.competitor}` : "";
  const share = ceiling ? fmt(r.rps / ceiling) : "";
  return `| ${spec.label} | ${Math.round(r.rps).toLocaleString("en")} | ${fmt(r.p99, 0)} ms | ${share} | ${vs} |`;
});
const targets = TARGETS.filter((t) => results[t.a] && results[t.b]).map((t) => {
  const ratio = results[t.a].rps / results[t.b].rps;
  return { ...t, ratio, met: ratio >= t.min };
});
const version = (name) =>
  JSON.parse(execSync(`npm ls ${name} --json --depth=0`, { encoding: "utf8" })).dependencies?.[name]
    ?.version;
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const versions = ["express", "express-session", "connect-redis", "ioredis", "jose"]
  .map((n) => `${n} ${version(n)}`)
  .join(", ");

const table = [
  "| case | req/s (median) | p99 | × ceiling | vs competitor |",
  "|---|---|---|---|---|",
  ...rows,
  "",
  "| target | ratio | needed | |",
  "|---|---|---|---|",
  ...targets.map(
    (t) => `| ${t.a} / ${t.b} | ${fmt(t.ratio)} | ≥ ${t.min} | ${t.met ? "met" : "**not met**"} |`,
  ),
].join("\n");

console.log(`\n${table}\n`);
console.log(`machine: ${machine}`);
console.log(`versions: ${versions}`);
console.log(
  `settings: ${CONNECTIONS} connections, warm-up ${WARMUP} s, ${ROUNDS} rounds × ${SECONDS} s; took ${Math.round((Date.now() - started) / 1000)} s`,
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
      settings: { CONNECTIONS, WARMUP, ROUNDS, SECONDS },
      results,
      targets,
    },
    null,
    2,
  ) + "\n",
);
