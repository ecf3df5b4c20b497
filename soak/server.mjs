// The soak test's server: bff-session (built package) on the memory store, in its own process
// so its heap is measured alone. Reports heap figures to the parent over IPC.
import express from "express";
import { createSessionRouter, errorHandler, hmacSecret, MemorySessionStore } from "bff-session";

const secret = process.env.SOAK_SECRET;
const store = new MemorySessionStore({ maxSessions: 50_000, sweepInterval: 1000 });
const customers = new Map(
  Array.from({ length: 100 }, (_, i) => [
    `cus_${i}`,
    { id: `cus_${i}`, email: `c${i}@example.com`, addresses: [] },
  ]),
);
const sessions = createSessionRouter({
  keys: hmacSecret(secret),
  customers: { retrieve: async (id) => customers.get(id) ?? null },
  sessions: store,
  session: { idleTimeout: "20s", absoluteTimeout: "60s", touchInterval: "2s" },
});
const app = express();
app.use(sessions);
app.get("/me", sessions.authenticate(), (req, res) => res.json({ id: req.auth.customerId }));
app.use(errorHandler());

const server = app.listen(0, "127.0.0.1", () =>
  process.send({ type: "listening", port: server.address().port }),
);
process.on("message", (message) => {
  if (message === "heap") {
    globalThis.gc?.();
    process.send({ type: "heap", heapUsed: process.memoryUsage().heapUsed, sessions: store.size });
  }
  if (message === "stop") server.close(() => process.exit(0));
});
