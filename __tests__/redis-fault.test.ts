/**
 * Redis goes away under load and comes back. A second Redis, started and owned by this test on
 * its own port, is killed while requests keep flowing (bounded, loopback only): while it is
 * down only documented 500s, never a wrong authentication; once it is back, logins and
 * authenticated requests succeed again within 2 s; the process never crashes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import type { Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import Redis from "ioredis";
import { RedisSessionStore } from "../lib/index.js";
import { buildApp, createClock, signToken, type TestApp } from "./helpers.js";
import { describeRedis } from "./support/redis.js";

const STORE_FAILED = {
  code: "api_error",
  message: "The session could not be read or written.",
  type: "database_error",
};

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  const deadline = Date.now() + 5000;
  while (!output.includes("Ready to accept connections")) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return child;
}

describeRedis("Redis outage under load", () => {
  let port: number;
  let redis: ChildProcess | undefined;
  let client: Redis;
  let t: TestApp;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    // The settings the README recommends: fail fast while Redis is down, reconnect quickly.
    client = new Redis({
      host: "127.0.0.1",
      port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    });
    client.on("error", () => {});
    await once(client, "ready");
    t = buildApp(
      {
        sessions: new RedisSessionStore({ client, prefix: "fault:" }),
        session: { storeTimeout: "500ms" },
        now: Date.now,
      },
      createClock(Date.now()),
    );
    server = t.app.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    client.disconnect();
    redis?.kill("SIGKILL");
  });

  async function login(): Promise<{ status: number; cookie?: string; body: unknown }> {
    const res = await fetch(`${base}/auth/session`, {
      method: "POST",
      headers: { authorization: `Bearer ${await signToken(t.clock)}` },
    });
    const cookie = res.headers.get("set-cookie")?.split(";")[0];
    return { status: res.status, cookie, body: await res.json().catch(() => undefined) };
  }
  async function me(cookie: string) {
    const res = await fetch(`${base}/store/customers/me`, { headers: { cookie } });
    return {
      status: res.status,
      body: res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text(),
    };
  }

  /** Runs `concurrency` loops of `step` for `ms` milliseconds; bounded in time and count. */
  async function load(ms: number, step: () => Promise<void>, concurrency = 4, maxRequests = 5000) {
    const until = Date.now() + ms;
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until && sent < maxRequests) {
          sent++;
          await step();
        }
      }),
    );
    return sent;
  }

  it("answers only documented 500s while Redis is down and recovers within 2 s", async () => {
    const first = await login();
    expect(first.status).toBe(200);
    const cookie = first.cookie!;
    const stranger = `bff.sid=${"Q".repeat(43)}`;
    const wrong: string[] = [];

    // Up: every authenticated request succeeds, strangers never do.
    await load(300, async () => {
      const [mine, theirs] = await Promise.all([me(cookie), me(stranger)]);
      if (mine.status !== 200) wrong.push(`up: own ${mine.status}`);
      if (theirs.status !== 401) wrong.push(`up: stranger ${theirs.status}`);
    });

    redis!.kill("SIGKILL");
    await once(redis!, "exit");
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    await load(800, async () => {
      const [mine, theirs, fresh] = await Promise.all([me(cookie), me(stranger), login()]);
      for (const [name, res] of [
        ["own", mine],
        ["stranger", theirs],
        ["login", fresh],
      ] as const) {
        count(`${name} ${res.status}`);
        if (res.status === 200) wrong.push(`down: ${name} authenticated`);
        else if (res.status === 500) {
          if (JSON.stringify(res.body) !== JSON.stringify(STORE_FAILED))
            wrong.push(`down: ${name} undocumented 500 ${JSON.stringify(res.body)}`);
        } else if (!(name === "stranger" && res.status === 401))
          wrong.push(`down: ${name} ${res.status}`);
      }
      if ("cookie" in fresh && fresh.cookie !== undefined)
        wrong.push("down: a cookie was set without a stored session");
    });
    expect(statuses.get("own 500")).toBeGreaterThan(0);

    const restartedAt = Date.now();
    redis = await startRedis(port);
    let recoveredAfter: number | undefined;
    await load(
      3000,
      async () => {
        if (recoveredAfter !== undefined) return;
        const again = await login();
        if (again.status === 200 && (await me(again.cookie!)).status === 200)
          recoveredAfter ??= Date.now() - restartedAt;
        else await new Promise((resolve) => setTimeout(resolve, 10));
      },
      2,
    );

    expect(wrong).toEqual([]);
    expect(recoveredAfter).toBeDefined();
    expect(recoveredAfter!).toBeLessThan(2000);
  }, 15_000);
});
