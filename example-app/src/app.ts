// The example BFF: identity stand-in, bff-session, a protected API and the storefront page.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  RedisSessionStore,
  remoteJwks,
  type SessionRouterOptions,
  type SessionStore,
} from "bff-session";
import { createBackend } from "./backend";
import { demoCustomers } from "./customers";
import { createIdentity } from "./identity";

export interface ExampleOptions {
  port?: number;
  host?: string;
  /** Trust this JWKS instead of the app's own (a second instance trusting the first). */
  jwksUrl?: string;
  /** Keep sessions in Redis so several instances share them (needs `cookieSecret`). */
  redisUrl?: string;
  /**
   * Signs the cookie and keys the sign-in attempt counters; the same on every instance, so they
   * share the counts.
   */
  cookieSecret?: string;
  /**
   * Mount the back-channel at /bff/back-channel for bff-session/medusa's customer.deleted
   * subscriber in the backend, with this shared secret (at least 32 characters).
   */
  backChannelSecret?: string;
  /** Front a real Medusa backend instead of the embedded stand-in. */
  medusa?: { url: string; jwtSecret: string; publishableKey?: string };
}

export interface RunningExample {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the example on a real socket; the JWKS URL is only known once it listens. */
export async function startExample(options: ExampleOptions = {}): Promise<RunningExample> {
  const server = createServer();
  // A port in use rejects here (server.ts turns it into a sentence) instead of crashing.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const { store, closeStore } = await sessionStore(options.redisUrl);
  const app = express();
  app.disable("x-powered-by");

  // Where tokens and the Store API come from: the embedded stand-in (its identity signs ES256
  // tokens and publishes a JWKS; its auth routes and Store API live under /_backend), or a
  // real Medusa. Either way the BFF serves the sign-in routes itself (upstream) and forwards
  // them: the backend's tokens stay here, the page gets stand-ins.
  let backend: Pick<SessionRouterOptions, "keys" | "upstream">;
  const { medusa } = options;
  if (medusa === undefined) {
    const customers = demoCustomers();
    const identity = await createIdentity(customers);
    app.use(identity.router);
    app.use("/_backend", identity.auth, createBackend(identity, customers));
    backend = {
      keys: remoteJwks(new URL(options.jwksUrl ?? `${url}/.well-known/jwks.json`)),
      upstream: { baseUrl: `${url}/_backend/` },
    };
  } else {
    backend = {
      keys: hmacSecret(medusa.jwtSecret),
      upstream: { baseUrl: medusa.url, publishableKey: medusa.publishableKey },
    };
  }
  const sessions = createSessionRouter({
    ...backend,
    sessions: store,
    ...(options.cookieSecret ? { cookie: { secret: options.cookieSecret } } : {}),
  });

  // What the page needs to know of the example itself: which backend it fronts (the demo
  // accounts exist only in the stand-in, so the page shows their hint only then).
  app.get("/example/config", (_req, res) => {
    res
      .set("Cache-Control", "no-store")
      .json({ backend: medusa === undefined ? "stand-in" : "medusa" });
  });
  // A customer deleted in the backend: its subscriber calls here, signed (docs/upstream.md).
  if (options.backChannelSecret)
    app.post("/bff/back-channel", sessions.backChannel({ secret: options.backChannelSecret }));
  app.use(sessions);
  // The app's own routes under /store/ come before storeApi(), which forwards the rest.
  app.get("/store/customers/me/sessions", sessions.authenticate(), async (req, res, next) => {
    try {
      const list = await sessions.listCustomerSessions(req.auth!.customerId);
      res.set("Cache-Control", "no-store").json({
        sessions: list.map((s) => ({
          id: s.sessionId,
          current: s.sessionId === req.auth!.sessionId,
          device: s.device ?? null,
          user_agent: s.userAgent ?? null,
          created_at: s.createdAt.toISOString(),
          last_seen_at: s.lastSeenAt.toISOString(),
          expires_at: s.expiresAt.toISOString(),
        })),
      });
    } catch (error) {
      next(error);
    }
  });
  // "Sign out everywhere": ends every session of this customer, on every instance.
  app.delete("/store/customers/me/sessions", sessions.authenticate(), async (req, res, next) => {
    try {
      const revoked = await sessions.revokeCustomerSessions(req.auth!.customerId);
      res.set("Cache-Control", "no-store").json({ revoked });
    } catch (error) {
      next(error);
    }
  });
  // "Sign out that device": only one of the signed-in customer's own sessions.
  app.delete(
    "/store/customers/me/sessions/:id",
    sessions.authenticate(),
    async (req, res, next) => {
      try {
        const mine = await sessions.listCustomerSessions(req.auth!.customerId);
        const id = String(req.params.id);
        if (!mine.some((s) => s.sessionId === id))
          return void res.status(404).json({ type: "not_found", message: "No such session" });
        res.set("Cache-Control", "no-store").json({ revoked: await sessions.revokeSession(id) });
      } catch (error) {
        next(error);
      }
    },
  );
  // Products, regions, carts and the customer: the backend's Store API, through the BFF.
  app.use(sessions.storeApi());
  app.use(express.static(path.join(__dirname, "..", "public")));
  app.use(errorHandler({ onError: (error) => console.error("example-app:", error) }));

  server.on("request", app);
  return {
    url,
    server,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeStore();
    },
  };
}

async function sessionStore(
  redisUrl: string | undefined,
): Promise<{ store: SessionStore; closeStore: () => Promise<void> }> {
  if (redisUrl === undefined || redisUrl === "") {
    const store = new MemorySessionStore();
    return { store, closeStore: async () => store.close() };
  }
  const { Redis } = await import("ioredis");
  // Fail fast while Redis is down instead of queueing commands (see the README's Redis section).
  const client = new Redis(redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
  });
  await new Promise<void>((resolve, reject) => {
    client.once("ready", resolve);
    client.once("error", reject);
  });
  return {
    store: new RedisSessionStore({ client, prefix: "bff-example:" }),
    closeStore: async () => void (await client.quit()),
  };
}
