// node bench/profile.mjs <case> — runs one benchmark server under `node --cpu-prof` with load
// from autocannon, then prints the functions with the most self time. How the hot paths of
// bff-session were found; see bench/README.md.
import { fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";

const name = process.argv[2] ?? "bff-get-memory";
const dir = mkdtempSync(path.join(os.tmpdir(), "bff-prof-"));
const child = fork(new URL("./servers.mjs", import.meta.url), [name], {
  execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const [plan] = await once(child, "message");
const headers = {};
if (plan.cookie) headers.cookie = plan.cookie;
const requests = plan.authorizations?.map((authorization) => ({ headers: { authorization } }));
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

const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const where = url.replace(/^.*node_modules\//, "").replace(/^.*\/(lib|dist|bench)\//, "$1/");
  const key = `${functionName || "(anonymous)"}  ${where}:${lineNumber + 1}`;
  const t = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + t);
  total += t;
});
console.log(`${name}: ${Math.round(result.requests.average)} req/s under the profiler; self time:`);
for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
