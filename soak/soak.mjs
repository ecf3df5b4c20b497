// npm run soak — mixed logins, authenticated requests and logouts against the memory store for
// SOAK_SECONDS (default 60), on 127.0.0.1 only. Fails on any unexpected status or if the
// server's heap after GC keeps growing; prints the figures for the README.
import { randomBytes } from "node:crypto";
import { fork } from "node:child_process";
import { once } from "node:events";
import { SignJWT } from "jose";

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 8);
const secret = randomBytes(32).toString("base64url");
const key = new TextEncoder().encode(secret);

const child = fork(new URL("./server.mjs", import.meta.url), {
  execArgv: ["--expose-gc"],
  env: { ...process.env, SOAK_SECRET: secret },
});
const [{ port }] = await once(child, "message");
const base = `http://127.0.0.1:${port}`;
const heap = async () => {
  child.send("heap");
  for (;;) {
    const [message] = await once(child, "message");
    if (message.type === "heap") return message;
  }
};

const tally = { login: 0, me: 0, logout: 0, unexpected: 0 };
const unexpected = [];
const expect = (what, status, allowed) => {
  if (!allowed.includes(status)) {
    tally.unexpected++;
    if (unexpected.length < 10) unexpected.push(`${what} → ${status}`);
  }
};

async function visitor() {
  const customer = `cus_${Math.floor(Math.random() * 100)}`;
  const token = await new SignJWT({ actor_id: customer, actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(key);
  const login = await fetch(`${base}/auth/session`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  await login.arrayBuffer();
  tally.login++;
  expect("login", login.status, [200]);
  const cookie = login.headers.get("set-cookie")?.split(";")[0] ?? "";
  const requests = 5 + Math.floor(Math.random() * 20);
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`${base}/me`, { headers: { cookie } });
    await res.arrayBuffer();
    tally.me++;
    expect("me", res.status, [200]);
  }
  // Two in three sign out; the rest leave their session to expire (the sweeper's work).
  if (Math.random() < 0.67) {
    const res = await fetch(`${base}/auth/session`, { method: "DELETE", headers: { cookie } });
    await res.arrayBuffer();
    tally.logout++;
    expect("logout", res.status, [200]);
  }
}

const started = Date.now();
const until = started + seconds * 1000;
const samples = [await heap()];
const sampler = setInterval(
  async () => samples.push(await heap()),
  Math.max(1000, (seconds * 1000) / 12),
);
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) await visitor();
  }),
);
clearInterval(sampler);
samples.push(await heap());
child.send("stop");

const mb = (bytes) => (bytes / 1048576).toFixed(1);
const warm = samples.slice(Math.floor(samples.length / 3));
const peak = Math.max(...samples.map((s) => s.heapUsed));
const lateGrowth = warm.at(-1).heapUsed - warm[0].heapUsed;
const elapsed = (Date.now() - started) / 1000;
const total = tally.login + tally.me + tally.logout;
console.log(
  `soak: ${elapsed.toFixed(0)} s, concurrency ${concurrency}, ${total} requests (${(total / elapsed).toFixed(0)} req/s)`,
);
console.log(
  `  logins ${tally.login}, authenticated requests ${tally.me}, logouts ${tally.logout}, unexpected statuses ${tally.unexpected}`,
);
console.log(
  `  server heap after GC: start ${mb(samples[0].heapUsed)} MB, peak ${mb(peak)} MB, end ${mb(samples.at(-1).heapUsed)} MB; growth over the last two thirds ${mb(lateGrowth)} MB`,
);
console.log(`  sessions held at the end: ${samples.at(-1).sessions}`);
if (unexpected.length > 0) console.log(`  first unexpected: ${unexpected.join(", ")}`);

// Bounded: sessions live at most 60 s (absolute) and are swept every second, so the heap must
// level off; more than 20 MB of growth after warm-up means something is kept that should not be.
const ok = tally.unexpected === 0 && lateGrowth < 20 * 1048576;
console.log(ok ? "soak: OK" : "soak: FAILED");
process.exit(ok ? 0 : 1);
