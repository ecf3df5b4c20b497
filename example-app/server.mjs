// A minimal BFF that mounts bff-session. It imports the package by name, as a user would
// (run `npm run build` first). Start: `node example-app/server.mjs`.
import { randomBytes } from "node:crypto";
import express from "express";
import { SignJWT } from "jose";
import { createSessionRouter, errorHandler, hmacSecret } from "bff-session";

if (process.env.NODE_ENV === "production" && !process.env.JWT_SECRET) {
  throw new Error("example-app: set JWT_SECRET; the generated demo secret is for development only");
}
const secret = process.env.JWT_SECRET ?? randomBytes(32).toString("base64url");
const customers = new Map([
  ["cus_demo", { id: "cus_demo", email: "demo@example.com", first_name: "Demo" }],
]);

const sessions = createSessionRouter({
  keys: hmacSecret(secret),
  customers: { retrieve: async (id) => customers.get(id) ?? null },
});

const app = express();
app.use(sessions);
app.get("/store/customers/me", sessions.authenticate(), (req, res) => {
  res.json({ customer: customers.get(req.auth.customerId) });
});
// Stand-in for the commerce backend's /auth/customer/emailpass: hands out a demo token.
app.post("/auth/customer/emailpass", async (_req, res) => {
  const token = await new SignJWT({
    actor_id: "cus_demo",
    actor_type: "customer",
    auth_identity_id: "authid_demo",
    app_metadata: {},
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(secret));
  res.json({ token });
});
app.use(errorHandler());

const host = process.env.HOST ?? "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, host, () => {
  const { port: actual } = server.address();
  console.log(`bff-session example listening on http://${host}:${actual}`);
});
