// node bench/profile.mjs <case> [--inclusive [pattern]] — runs one benchmark server under
// `node --cpu-prof` with load from autocannon, then prints the functions with the most self
// time (in % of the samples), or with --inclusive the time per request (µs) spent in each
// function and everything it called, optionally only for functions whose name or file match
// the pattern (a RegExp: "dist/esm|zod"). How the hot paths of bff-session were found; see
// bench/README.md.
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { loginRequests } from "./login-requests.mjs";

const [name = "bff-get-memory", mode, pattern] = process.argv.slice(2);
const inclusive = mode === "--inclusive";
const dir = mkdtempSync(path.join(os.tmpdir(), "bff-prof-"));
// The forwarding cases call the backend stand-in, in a process of its own (as in run.mjs).
let backend;
let env = process.env;
if (name.includes("forward")) {
  backend = fork(new URL("./servers.mjs", import.meta.url), ["backend-direct"], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [ready] = await once(backend, "message");
  env = { ...process.env, BENCH_BACKEND_URL: new URL(ready.url).origin };
}
const child = fork(new URL("./servers.mjs", import.meta.url), [name], {
  execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
  env,
});
const [plan] = await once(child, "message");
const headers = {};
if (plan.cookie) headers.cookie = plan.cookie;
const requests = loginRequests(plan.authorizations);
const result = await autocannon({
  url: plan.url,
  method: plan.method,
  headers,
  requests,
  connections: 10,
  duration: 5,
});
child.send("stop");
await once(child, "exit");
backend?.send("stop");

const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parents = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n.id);
const label = ({ functionName, url, lineNumber }) => {
  const where = url.replace(/^.*node_modules\//, "").replace(/^.*\/(lib|dist|bench)\//, "$1/");
  return `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
};

const times = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const t = profile.timeDeltas[i] ?? 0;
  if (!inclusive) {
    const key = label(nodes.get(id).callFrame);
    times.set(key, (times.get(key) ?? 0) + t);
    total += t;
    return;
  }
  if (nodes.get(id).callFrame.functionName === "(idle)") return;
  // Each function on the sampled stack is charged once (recursion counts once).
  const seen = new Set();
  for (let node = id; node !== undefined; node = parents.get(node)) {
    const key = label(nodes.get(node).callFrame);
    if (seen.has(key)) continue;
    seen.add(key);
    times.set(key, (times.get(key) ?? 0) + t);
  }
});

const rate = Math.round(result.requests.average);
if (inclusive) {
  const match = pattern === undefined ? undefined : new RegExp(pattern);
  console.log(`${name}: ${rate} req/s under the profiler; µs per request, callees included:`);
  for (const [key, t] of [...times]
    .filter(([key]) => match === undefined || match.test(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)) {
    console.log(`${(t / result.requests.total).toFixed(1).padStart(7)} µs  ${key}`);
  }
} else {
  console.log(`${name}: ${rate} req/s under the profiler; self time:`);
  for (const [key, t] of [...times].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  }
}
