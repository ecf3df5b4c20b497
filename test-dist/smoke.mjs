// Shared by the CJS and ESM smoke tests: mounts a router built from dist/ on a real HTTP
// server and runs login → authenticated request → logout against it.
import assert from "node:assert/strict";
import { SignJWT } from "jose";

const SECRET = "dist-smoke-secret-at-least-32-bytes!!";

export async function runSmoke(bff, express) {
  const { createSessionRouter, errorHandler, hmacSecret, MemorySessionStore, StoreApiError } = bff;
  assert.equal(typeof StoreApiError, "function");
  const sessions = createSessionRouter({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async (id) => (id === "cus_1" ? { id, email: "a@example.com" } : null) },
    sessions: new MemorySessionStore({ sweepInterval: 0 }),
  });
  const app = express();
  app.use(sessions);
  app.get("/me", sessions.authenticate(), (req, res) => res.json({ id: req.auth.customerId }));
  app.use(errorHandler());
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    const token = await new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    const login = await fetch(`${base}/auth/session`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(login.status, 200);
    assert.equal((await login.json()).user.id, "cus_1");
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const me = await fetch(`${base}/me`, { headers: { cookie } });
    assert.deepEqual(await me.json(), { id: "cus_1" });
    const logout = await fetch(`${base}/auth/session`, { method: "DELETE", headers: { cookie } });
    assert.equal(logout.status, 200);
    assert.equal((await fetch(`${base}/me`, { headers: { cookie } })).status, 401);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
