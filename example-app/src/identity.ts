// A stand-in for the commerce backend's identity routes: POST /auth/customer/emailpass issues
// xclade/Medusa-style customer JWTs signed with ES256, `…/register` issues a registration
// token (empty actor_id), `…/reset-password` answers 201, and /.well-known/jwks.json
// publishes the public key, so the BFF trusts them the way a real deployment trusts its
// identity service. The BFF forwards its sign-in routes here (the backend, under /_backend).
import { createHash, scryptSync, timingSafeEqual } from "node:crypto";
import express, { type Router } from "express";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from "jose";
import type { DemoCustomers } from "./customers";

export interface Identity {
  /** GET /.well-known/jwks.json, for the BFF's remoteJwks(). */
  router: Router;
  /** The backend's auth routes: sign-in, registration, password reset. */
  auth: Router;
  /** The identity a registration token names (for POST /store/customers), or undefined. */
  registration(token: string): Promise<{ email: string; password_hash: string } | undefined>;
  /** Signs a token for a customer (used by tests and the demo login). */
  issue(customerId: string): Promise<string>;
  /** The customer id of a valid token this identity issued, or undefined. */
  verify(token: string): Promise<string | undefined>;
}

export async function createIdentity(customers: DemoCustomers): Promise<Identity> {
  // A fresh key pair per start: development only (server.ts refuses to run in production).
  const { privateKey, publicKey } = await generateKeyPair("ES256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "demo-es256", alg: "ES256", use: "sig" };
  const issue = (customerId: string) => sign(privateKey, customerId);

  const router = express.Router();
  router.get("/.well-known/jwks.json", (_req, res) => {
    res.set("Cache-Control", "public, max-age=300").json({ keys: [jwk] });
  });
  const auth = express.Router();
  auth.use(express.json({ limit: "2kb" }));
  const pending = new Map<string, { email: string; password_hash: string }>();
  auth.post("/auth/customer/emailpass/register", async (req, res, next) => {
    try {
      const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
      if (typeof email !== "string" || typeof password !== "string" || password.length < 8)
        return void res
          .status(400)
          .json({ type: "invalid_data", message: "An email and a password of 8+ characters" });
      if (customers.byEmail(email) !== undefined)
        return void res
          .status(401)
          .json({ type: "unauthorized", message: "Identity with email already exists" });
      const id = `authid_${createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 16)}`;
      pending.set(id, { email: email.trim().toLowerCase(), password_hash: hashPassword(password) });
      res.json({ token: await sign(privateKey, "", id) });
    } catch (error) {
      next(error);
    }
  });
  auth.post("/auth/customer/emailpass/reset-password", (req, res) => {
    // A real backend e-mails a link with a reset token; the demo only says it would.
    console.log(`example-app: a password reset link would go to ${String(req.body?.identifier)}`);
    res.status(201).type("text/plain").send("Created");
  });
  auth.post("/auth/customer/emailpass", express.json({ limit: "2kb" }), async (req, res, next) => {
    try {
      const { email, password } = (req.body ?? {}) as { email?: unknown; password?: unknown };
      const customer = typeof email === "string" ? customers.byEmail(email) : undefined;
      // Compare even for unknown emails so timing does not reveal which emails exist.
      const ok = verifyPassword(
        typeof password === "string" ? password : "",
        customer?.password_hash ?? DUMMY_HASH,
      );
      if (customer === undefined || !ok) {
        res.status(401).type("text/plain").send("Unauthorized");
        return;
      }
      res.json({ token: await issue(customer.id) });
    } catch (error) {
      next(error);
    }
  });
  const verify = async (token: string) => {
    try {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ["ES256"] });
      return typeof payload.actor_id === "string" && payload.actor_id !== ""
        ? payload.actor_id
        : undefined;
    } catch {
      return undefined;
    }
  };
  const registration = async (token: string) => {
    try {
      const { payload } = await jwtVerify(token, publicKey, { algorithms: ["ES256"] });
      return payload.actor_id === "" ? pending.get(String(payload.auth_identity_id)) : undefined;
    } catch {
      return undefined;
    }
  };
  return { router, auth, registration, issue, verify };
}

/** A customer token; with an empty customerId, a registration token for `identityId`. */
function sign(privateKey: CryptoKey, customerId: string, identityId?: string): Promise<string> {
  return new SignJWT({
    actor_id: customerId,
    actor_type: "customer",
    auth_identity_id: identityId ?? `authid_${customerId.slice(4)}`,
    app_metadata: customerId === "" ? {} : { customer_id: customerId },
  })
    .setProtectedHeader({ alg: "ES256", kid: "demo-es256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("10h")
    .sign(privateKey);
}

export function hashPassword(password: string, salt = "demo-salt"): string {
  return `scrypt$${salt}$${scryptSync(password, salt, 32).toString("base64url")}`;
}

const DUMMY_HASH = hashPassword("not-a-real-password", "dummy");

function verifyPassword(password: string, stored: string): boolean {
  const [, salt, expected] = stored.split("$");
  const actual = Buffer.from(hashPassword(password, salt).split("$")[2]!, "base64url");
  const wanted = Buffer.from(expected ?? "", "base64url");
  return actual.length === wanted.length && timingSafeEqual(actual, wanted);
}
