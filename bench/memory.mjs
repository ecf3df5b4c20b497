// npm run bench:memory — heap used per session in the MemorySessionStore: fills it with
// 100,000 sessions the way logins do (through the router) and measures the heap after GC.
import { randomBytes } from "node:crypto";
import express from "express";
import { SignJWT } from "jose";
import { createSessionRouter, hmacSecret, MemorySessionStore } from "bff-session";

if (typeof globalThis.gc !== "function") {
  console.error("run with node --expose-gc (npm run bench:memory does)");
  process.exit(2);
}
const COUNT = Number(process.env.SESSIONS ?? 100_000);
const secret = randomBytes(32).toString("base64url");
const store = new MemorySessionStore({ maxSessions: COUNT, sweepInterval: 0 });
const customer = { id: "cus_123", email: "jane@example.com", addresses: [] };
const router = createSessionRouter({
  keys: hmacSecret(secret),
  customers: { retrieve: async (id) => ({ ...customer, id }) },
  sessions: store,
});
const app = express();
app.use(router);
const server = app.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
// One customer per login: a customer keeps at most 10 sessions (session.maxPerCustomer), so
// logins of one customer would fill nothing.
const tokenOf = (i) =>
  new SignJWT({ actor_id: `cus_${i}`, actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
// A warm-up login, so code and caches are in the baseline rather than in the per-session figure.
await fetch(`${base}/auth/session`, {
  method: "POST",
  headers: { authorization: `Bearer ${await tokenOf("warm-up")}`, "user-agent": "bench" },
});
const before = heap();
const sizeBefore = store.size;
const started = Date.now();
const BATCH = 64;
for (let done = 0; done < COUNT - sizeBefore; done += BATCH) {
  await Promise.all(
    Array.from({ length: Math.min(BATCH, COUNT - sizeBefore - done) }, async (_, i) =>
      fetch(`${base}/auth/session`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${await tokenOf(done + i)}`,
          "user-agent":
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
        },
      }).then((r) => r.arrayBuffer()),
    ),
  );
}
const after = heap();
server.close();
const added = store.size - sizeBefore;
const perSession = (after - before) / added;
console.log(
  `${store.size.toLocaleString("en")} sessions in the memory store (${((Date.now() - started) / 1000).toFixed(1)} s to log them in)`,
);
console.log(
  `heap used: ${(before / 1048576).toFixed(1)} MB before, ${(after / 1048576).toFixed(1)} MB after: ${Math.round(perSession)} bytes per session`,
);
const total = (after - before) / 1048576;
console.log(
  `target: 100,000 sessions in < 100 MB of heap: ${total.toFixed(1)} MB for ${added.toLocaleString("en")} — ${total < 100 ? "met" : "NOT MET"}`,
);
process.exit(0);
