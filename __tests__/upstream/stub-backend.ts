import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { SignJWT, jwtVerify } from "jose";
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
export function stubBackend(options: { routes?: (app: express.Express) => void } = {}) {
  const seen: Seen[] = [];
  const state = {
    refresh: "ok" as "ok" | "401" | "other-customer" | "500" | "slow" | "foreign-key",
    refreshes: 0,
    revoked: new Set<string>(),
    aborted: 0,
    /** The bearer tokens POST /store/customers was called with. */
    created: [] as string[],
    /** Bytes of padding in /store/customers/me (an answer too large to read). */
    customerPadding: 0,
    /** Milliseconds a password sign-in, update and MFA verification take before answering. */
    delays: { signIn: 0, update: 0, mfaVerify: 0 },
    /** Password updates the backend carried out. */
    updated: 0,
  };
  const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const app = express();
  app.use((req, _res, next) => {
    const hash = createHash("sha256");
    let length = 0;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      length += chunk.length;
      if (/^\/(auth\/|store\/customers$|store\/carts)/.test(req.url)) chunks.push(chunk);
    });
    req.on("end", () => {
      (req as { raw?: Buffer }).raw = Buffer.concat(chunks);
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
      .sign(
        new TextEncoder().encode(
          state.refresh === "foreign-key" ? "another-secret-that-is-at-least-32-bytes" : SECRET,
        ),
      );
    res.json({ token });
  });
  app.get("/store/customers/me", (req, res) => {
    if (bearer(req) === undefined || state.revoked.has(bearer(req)!))
      return void res.status(401).send("Unauthorized");
    const padding = state.customerPadding;
    res.json({
      customer:
        padding === 0 ? CUSTOMER : { ...CUSTOMER, metadata: { padding: "x".repeat(padding) } },
    });
  });
  // Medusa-shaped auth routes: emailpass sign-in (with MFA for mfa@…), registration, reset,
  // a redirecting provider, the MFA challenge, and customer creation with a registration token.
  const sign = async (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ actor_type: "customer", auth_identity_id: "authid_1", ...claims })
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(SECRET));
  };
  // The recorder above read the stream: parse what it kept.
  const json: express.RequestHandler = (req, _res, next) => {
    try {
      req.body = JSON.parse((req as { raw?: Buffer }).raw?.toString() || "{}");
    } catch {
      req.body = {};
    }
    next();
  };
  app.post("/auth/customer/emailpass", json, async (req, res) => {
    const { email, password } = (req.body ?? {}) as { email?: string; password?: string };
    if (email === "down@example.com") return void res.status(503).json({ type: "unknown_error" });
    if (password !== "right-password")
      return void res
        .status(401)
        .json({ type: "unauthorized", message: "Invalid email or password" });
    res.setHeader("Set-Cookie", "connect.sid=s%3Abackend-session; Path=/; HttpOnly");
    // The password was checked; the answer (and its token) takes this long to come back.
    await after(state.delays.signIn);
    if (email === "mfa@example.com") {
      return void res.json({
        mfa_required: true,
        mfa_challenge: { id: "authmfachal_1", methods: ["totp"] },
        token: await sign({ actor_id: "" }),
      });
    }
    res.json({ token: await sign({ actor_id: "cus_123" }) });
  });
  app.post("/auth/customer/emailpass/register", json, async (_req, res) => {
    res.json({ token: await sign({ actor_id: "" }) });
  });
  app.post("/auth/customer/emailpass/reset-password", json, (_req, res) => {
    res.status(201).type("text/plain").send("Created");
  });
  app.post("/auth/customer/emailpass/update", json, async (req, res) => {
    // The fixed token, or a Medusa-shaped reset token (`purpose: "reset"`) signed with SECRET.
    const reset = await jwtVerify(bearer(req) ?? "", new TextEncoder().encode(SECRET)).then(
      ({ payload }) => payload.purpose === "reset",
      () => false,
    );
    if (req.headers.authorization !== "Bearer reset-token-from-email" && !reset)
      return void res.status(401).json({ type: "unauthorized", message: "Invalid token" });
    // Like a backend, it carries the update out whether or not the caller is still there.
    await after(state.delays.update);
    state.updated++;
    res.json({ success: true });
  });
  app.post("/auth/customer/google", (_req, res) => {
    res.json({ location: "https://accounts.example.com/o/oauth2?state=abc" });
  });
  app.get("/auth/customer/google/callback", async (req, res) => {
    if (req.query.code !== "good-code") return void res.status(401).json({ type: "unauthorized" });
    res.json({ token: await sign({ actor_id: "cus_123" }) });
  });
  app.post("/auth/mfa/challenges/:id/verify", json, async (req, res) => {
    const pre = bearer(req);
    if (pre === undefined) return void res.status(401).send("Unauthorized");
    if ((req.body as { code?: string }).code !== "123456")
      return void res.status(400).json({ type: "invalid_data", message: "Invalid code" });
    await after(state.delays.mfaVerify);
    res.json({ token: await sign({ actor_id: "cus_123" }) });
  });
  app.post("/store/customers", json, (req, res) => {
    if (bearer(req) === undefined) return void res.status(401).send("Unauthorized");
    state.created.push(bearer(req)!);
    res.json({ customer: { ...CUSTOMER, email: (req.body as { email: string }).email } });
  });
  app.get("/store/revoked", (_req, res) => void res.status(401).send("Unauthorized"));
  app.get("/store/slow", (req, res) => {
    const timer = setTimeout(() => res.json({ late: true }), 1500);
    res.on("close", () => {
      clearTimeout(timer);
      if (!res.writableFinished) state.aborted++;
    });
  });
  // A large answer, `mb` MiB (for clients that never read it).
  app.get("/store/huge", (req, res) => {
    res.setHeader("Content-Type", "application/octet-stream");
    res.end(Buffer.alloc(Number(req.query.mb ?? 8) * 1024 * 1024, 7));
  });
  // Token answers in every shape a careless or hostile backend could send.
  app.post("/auth/customer/odd", json, async (req, res) => {
    const token = await sign({ actor_id: "cus_123" });
    const body = JSON.stringify({ token });
    const shape = String(req.query.shape);
    if (shape === "gzip") {
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Encoding", "gzip");
      return void res.end(gzipSync(body));
    }
    if (shape === "text-json") return void res.type("text/json").send(body);
    if (shape === "plus-json") return void res.type("application/vnd.medusa+json").send(body);
    if (shape === "bom") return void res.type("application/json").send(`\ufeff${body}`);
    if (shape === "nested") return void res.json({ data: { access: token } });
    if (shape === "text") return void res.type("text/plain").send(`token=${token}`);
    if (shape === "huge") return void res.json({ token, padding: "x".repeat(3 * 1024 * 1024) });
    if (shape === "headers") {
      res.setHeader("X-Auth-Token", token);
      res.setHeader("Location", `/?token=${token}`);
      res.setHeader("WWW-Authenticate", `Bearer token="${token}"`);
      return void res.status(401).json({ type: "unauthorized", message: "Invalid" });
    }
    if (shape === "utf16-error")
      return void res
        .status(400)
        .type("text/plain; charset=utf-16le")
        .send(Buffer.from(`token=${token}`, "utf16le"));
    if (shape === "base64") return void res.json({ data: Buffer.from(token).toString("base64") });
    if (shape === "percent") return void res.json({ next: encodeURIComponent(`/?t=${token}`) });
    if (shape === "split") {
      const cut = token.indexOf(".") + 1;
      return void res.json({ a: token.slice(0, cut), b: token.slice(cut) });
    }
    if (shape === "hex")
      return void res.json({ token, copy: Buffer.from(token).toString("hex").toUpperCase() });
    if (shape === "base64-inside")
      return void res.json({ debug: `issued ${Buffer.from(token).toString("base64")} ok` });
    res.json({ token });
  });
  app.get("/store/big", (_req, res) => {
    res.setHeader("Content-Type", "application/octet-stream");
    res.end(Buffer.alloc(2 * 1024 * 1024, 7));
  });
  // Status and half the body, then the connection drops.
  app.get("/store/breaks", (_req, res) => {
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Length", String(64 * 1024));
    res.write(Buffer.alloc(16 * 1024, 7), () => setTimeout(() => res.destroy(), 20));
  });
  // Routes a test file adds (the carts), ahead of the echo below.
  options.routes?.(app);
  // A RegExp: the same route on Express 4 and 5 (their path syntaxes differ for wildcards).
  app.all(/^\/store\/.+/, (req, res) => {
    res.setHeader("Set-Cookie", "connect.sid=s%3Abackend-session; Path=/; HttpOnly");
    res.setHeader("Connection", "X-Backend-Hop, keep-alive");
    res.setHeader("X-Backend-Hop", "secret");
    res.setHeader("Cache-Control", "public, max-age=60");
    res.setHeader("X-Echo", "1");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Vary", "Accept-Encoding");
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
    /** Forgets what earlier tests sent and how they set the backend to behave. */
    reset() {
      seen.length = 0;
      state.created.length = 0;
      state.refresh = "ok";
      state.refreshes = 0;
      state.customerPadding = 0;
    },
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
