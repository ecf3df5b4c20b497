// The victim's latency under attack (issue #22, item 1): `npm run bench:attack`.
//
// A stand-in backend, and forwarders in front of it, each with 4 backend connections:
// bff-session's storeApi(), a plain undici forwarder (a Pool, the request streamed in, the
// answer piped out — what a hand-written proxy does) and, when it is installed (NGINX, default
// /usr/sbin/nginx), nginx with its default buffering, one worker. For each, a victim sends one
// GET /store/products after another for BENCH_ATTACK_SECONDS, first alone, then while twice
// as many slow uploaders (a 100 kB body, one byte every 500 ms) and twice as many clients that
// never read an 8 MiB answer as there are connections are attached. Everything binds to
// 127.0.0.1, and every loop is bounded in time.
import { fork, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SECONDS = Number(process.env.BENCH_ATTACK_SECONDS ?? 5);
const CONNECTIONS = 4;
const ATTACKERS = 2 * CONNECTIONS;
const here = path.dirname(fileURLToPath(import.meta.url));
const NGINX = process.env.NGINX ?? "/usr/sbin/nginx";

if (process.argv[2] === "serve") await serve(process.argv[3]);
else await main();

/** One server of the bench, in a child process: "backend", "bff" or "plain". */
async function serve(kind) {
  const backend = process.env.BACKEND_URL;
  let handler;
  if (kind === "backend") {
    const products = JSON.stringify({ products: [{ id: "prod_1", title: "Shirt" }] });
    const huge = Buffer.alloc(8 * 1024 * 1024, 7);
    handler = (req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.url.startsWith("/store/huge")) return void res.end(huge);
        res.setHeader("Content-Type", "application/json");
        res.end(products);
      });
    };
  } else if (kind === "plain") {
    const { Pool } = await import("undici");
    const pool = new Pool(backend, { connections: CONNECTIONS });
    handler = async (req, res) => {
      try {
        const answer = await pool.request({
          path: req.url,
          method: req.method,
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          body: req.method === "GET" ? undefined : req,
        });
        res.statusCode = answer.statusCode;
        answer.body.pipe(res);
      } catch {
        res.statusCode = 502;
        res.end();
      }
    };
  } else {
    const { default: express } = await import("express");
    const { createSessionRouter, hmacSecret } = await import("bff-session");
    const router = createSessionRouter({
      keys: hmacSecret("bench-secret-that-is-at-least-32-bytes-long"),
      upstream: { baseUrl: backend, connections: CONNECTIONS },
      logger: false,
    });
    const app = express();
    app.use(router);
    app.use(router.storeApi());
    handler = app;
  }
  const server = http.createServer(handler).listen(0, "127.0.0.1", () => {
    process.send({ url: `http://127.0.0.1:${server.address().port}` });
  });
}

/** A server of the bench in a child process; resolves its URL and how to stop it. */
function start(kind, env = {}) {
  if (kind === "nginx") return startNginx(env.BACKEND_URL);
  const child = fork(fileURLToPath(import.meta.url), ["serve", kind], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve) =>
    child.once("message", ({ url }) => resolve({ url, stop: () => child.kill() })),
  );
}

/**
 * nginx as the reverse proxies the BFF replaces are configured: its defaults (the request body
 * read whole before the backend is asked, answers buffered to memory and temporary files),
 * the same 4 backend connections (`max_conns`, kept alive) and nginx's 60 s client timeouts.
 */
async function startNginx(backend) {
  const prefix = mkdtempSync(path.join(os.tmpdir(), "bff-bench-nginx-"));
  // Workers run as nobody when the master is root: they write the temporary files here.
  for (const dir of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    mkdirSync(path.join(prefix, dir));
    chmodSync(path.join(prefix, dir), 0o777);
  }
  const port = await freePort();
  const temp = (dir) =>
    `${dir}_temp_path ${path.join(prefix, dir === "client_body" ? "body" : dir.split("_")[0])};`;
  writeFileSync(
    path.join(prefix, "nginx.conf"),
    `worker_processes 1;
error_log ${path.join(prefix, "error.log")} error;
pid ${path.join(prefix, "nginx.pid")};
events { worker_connections 1024; }
http {
  access_log off;
  ${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp).join("\n  ")}
  upstream backend { server ${new URL(backend).host} max_conns=${CONNECTIONS}; keepalive ${CONNECTIONS}; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const child = spawn(NGINX, ["-p", prefix, "-c", "nginx.conf", "-g", "daemon off;"], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 5000;
  while (
    !(await fetch(`${url}/store/products`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > until || child.exitCode !== null)
      throw new Error(`nginx did not start at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = async () => {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGQUIT");
    await exited;
    rmSync(prefix, { recursive: true, force: true });
  };
  return { url, stop };
}

/** A port nothing listens on at the moment (the kernel's pick on 127.0.0.1). */
function freePort() {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One GET after another for `SECONDS`; each latency in ms (a failure counts as its time). */
async function victim(url) {
  const latencies = [];
  let failed = 0;
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    const started = performance.now();
    const ok = await fetch(`${url}/store/products`, { signal: AbortSignal.timeout(15_000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    latencies.push(performance.now() - started);
    if (!ok) failed++;
  }
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests: latencies.length, failed, p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** Slow uploaders and non-readers against `url`; resolves a function that disconnects them. */
async function attack(url) {
  const { port } = new URL(url);
  const sockets = [];
  const timers = [];
  for (let i = 0; i < ATTACKERS; i++) {
    const slow = net.connect({ host: "127.0.0.1", port });
    slow.on("error", () => {});
    slow.write(
      "POST /store/carts HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
    );
    timers.push(setInterval(() => slow.write(" "), 500));
    const stalled = net.connect({ host: "127.0.0.1", port });
    stalled.on("error", () => {});
    stalled.write("GET /store/huge HTTP/1.1\r\nHost: bench\r\n\r\n");
    stalled.pause();
    sockets.push(slow, stalled);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
  };
}

async function main() {
  const backend = await start("backend");
  const results = {};
  try {
    for (const kind of ["bff", "plain", "nginx"]) {
      if (kind === "nginx" && !existsSync(NGINX)) continue;
      const front = await start(kind, { BACKEND_URL: backend.url });
      try {
        const alone = await victim(front.url);
        const stop = await attack(front.url);
        const attacked = await victim(front.url);
        stop();
        results[kind] = { alone, attacked };
      } finally {
        await front.stop();
      }
    }
  } finally {
    await backend.stop();
  }
  const row = (name, r) =>
    `| ${name} | ${r.alone.p50.toFixed(1)} | ${r.alone.p99.toFixed(1)} | ${r.attacked.p50.toFixed(1)} | ${r.attacked.p99.toFixed(1)} | ${r.attacked.requests} | ${r.attacked.failed} |`;
  console.log(
    [
      `victim GET /store/products, ${SECONDS} s each; ${ATTACKERS} slow uploaders + ${ATTACKERS} non-readers against ${CONNECTIONS} backend connections`,
      "| forwarder | alone p50 ms | alone p99 ms | attacked p50 ms | attacked p99 ms | attacked requests | failed |",
      "|---|---|---|---|---|---|---|",
      row("bff-session storeApi()", results.bff),
      row("plain undici forwarder", results.plain),
      results.nginx
        ? row("nginx (defaults, 1 worker)", results.nginx)
        : `| nginx | not installed at ${NGINX} | | | | | |`,
    ].join("\n"),
  );
  writeFileSync(
    path.join(here, "results", "attack.json"),
    JSON.stringify({ date: new Date().toISOString(), seconds: SECONDS, results }, null, 2) + "\n",
  );
  process.exit(0);
}
