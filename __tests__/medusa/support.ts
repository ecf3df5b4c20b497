import express from "express";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  type SessionEvent,
} from "../../lib/index.js";

/** What scripts/medusa-backend.mjs exports; a run without it fails, it never skips. */
export const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined)
    throw new Error(`${name} is not set: run this suite with npm run test:medusa`);
  return value;
};
export const MEDUSA = env("MEDUSA_URL");
export const KEY = env("MEDUSA_PUBLISHABLE_KEY");

/** The BFF in front of the real backend, as the README's quick start mounts it. */
export function bff() {
  const events: SessionEvent[] = [];
  const router = createSessionRouter({
    keys: hmacSecret(env("MEDUSA_JWT_SECRET")),
    upstream: { baseUrl: MEDUSA, publishableKey: KEY, timeout: "5s" },
    onEvent: (event) => events.push(event),
    logger: false,
  });
  const app = express();
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  return { app, events };
}
