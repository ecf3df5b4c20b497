import express from "express";
import request from "supertest";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
  type SessionEvent,
  type SessionRouterOptions,
} from "../../lib/index.js";
import { SECRET, cookiePair, setCookie } from "../helpers.js";
import type { stubBackend } from "./stub-backend.js";

// A JWT anywhere in an answer is a leak.
export const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
export const RIGHT = { email: "jo@example.com", password: "right-password" };
export const WRONG = { email: "jo@example.com", password: "guess" };

/** A BFF in front of the stub backend, with its events; `before` runs ahead of the router. */
export function bffFor(
  backend: ReturnType<typeof stubBackend>,
  options: Partial<SessionRouterOptions> & {
    upstreamExtra?: Partial<NonNullable<SessionRouterOptions["upstream"]>>;
  } = {},
  before?: (app: express.Express) => void,
) {
  const events: SessionEvent[] = [];
  const { upstreamExtra, ...rest } = options;
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    sessions: new MemorySessionStore({ sweepInterval: 0 }),
    upstream: { baseUrl: backend.url, publishableKey: "pk_bff", timeout: 2, ...upstreamExtra },
    onEvent: (e) => events.push(e),
    logger: false,
    ...rest,
  });
  const app = express();
  app.set("trust proxy", "loopback");
  before?.(app);
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  return { app, router, events };
}

/** Signs in with the right password through the BFF; resolves the session cookie pair. */
export async function passwordSignIn(app: express.Express, body: object = RIGHT): Promise<string> {
  const res = await request(app).post("/auth/customer/emailpass").send(body);
  if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
  return cookiePair(setCookie(res.headers));
}
