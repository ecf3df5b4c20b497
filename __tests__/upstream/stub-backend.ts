import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { SignJWT } from "jose";
import { CUSTOMER, SECRET } from "../helpers.js";

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodySha?: string;
  bodyLength?: number;
}

/**
 * A stand-in for a Medusa backend on a real socket: echoes what it was sent, answers
 * /store/customers/me as the bearer's customer, refreshes tokens, and misbehaves on demand.
 */
export function stubBackend() {
  const seen: Seen[] = [];
  const state = {
    refresh: "ok" as "ok" | "401" | "other-customer" | "500" | "slow",
    refreshes: 0,
    revoked: new Set<string>(),
    aborted: 0,
  };
  const app = express();
  app.use((req, _res, next) => {
    const hash = createHash("sha256");
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
    });
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        bodySha: hash.digest("hex"),
        bodyLength: length,
      });
      next();
    });
  });
  const bearer = (req: express.Request) => req.headers.authorization?.replace(/^Bearer /, "");
  app.post("/auth/token/refresh", async (req, res) => {
    state.refreshes++;
    if (state.refresh === "401") return void res.status(401).send("Unauthorized");
    if (state.refresh === "500") return void res.status(500).json({ type: "unknown_error" });
    if (state.refresh === "slow") return void setTimeout(() => res.json({}), 2000);
    const id = state.refresh === "other-customer" ? "cus_other" : "cus_123";
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      actor_id: id,
      actor_type: "customer",
      iat: now,
      exp: now + 3600,
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(SECRET));
    res.json({ token });
  });
  app.get("/store/customers/me", (req, res) => {
    if (bearer(req) === undefined || state.revoked.has(bearer(req)!))
      return void res.status(401).send("Unauthorized");
    res.json({ customer: CUSTOMER });
  });
  app.get("/store/revoked", (_req, res) => void res.status(401).send("Unauthorized"));
  app.get("/store/slow", (req, res) => {
    const timer = setTimeout(() => res.json({ late: true }), 1500);
    res.on("close", () => {
      clearTimeout(timer);
      if (!res.writableFinished) state.aborted++;
    });
  });
  app.get("/store/big", (_req, res) => {
    res.setHeader("Content-Type", "application/octet-stream");
    res.end(Buffer.alloc(2 * 1024 * 1024, 7));
  });
  // A RegExp: the same route on Express 4 and 5 (their path syntaxes differ for wildcards).
  app.all(/^\/store\/.+/, (req, res) => {
    res.setHeader("Set-Cookie", "connect.sid=s%3Abackend-session; Path=/; HttpOnly");
    res.setHeader("Connection", "X-Backend-Hop, keep-alive");
    res.setHeader("X-Backend-Hop", "secret");
    res.setHeader("Cache-Control", "public, max-age=60");
    res.setHeader("X-Echo", "1");
    res.status(req.method === "POST" ? 201 : 200).json({ ok: true, url: req.url });
  });

  let server: Server;
  return {
    seen,
    state,
    get url() {
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    last: () => seen.at(-1)!,
    start: () =>
      new Promise<void>((resolve) => {
        server = app.listen(0, "127.0.0.1", () => resolve());
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
