import { randomBytes } from "node:crypto";
import type { SessionRecord, SessionStore } from "../../stores/session-store.js";
import type { StoreFeature } from "../conformance.js";

/** What each file of cases registers its cases with (built once per run of the kit). */
export interface CaseKit {
  /** A case every store must pass; it gets a fresh store, torn down afterwards. */
  test(title: string, body: (store: SessionStore) => Promise<void>): void;
  /** A case of an optional feature: reported as skipped, with the reason, when the store lacks it. */
  feature(needs: StoreFeature, title: string, body: (store: SessionStore) => Promise<void>): void;
  /** Waits until a deadline 40 ms away has surely passed in the store. */
  afterExpiry(): Promise<void>;
}

/** A session id shaped as the router's (43 base64url characters). */
export const id = () => randomBytes(32).toString("base64url").slice(0, 43);
export const customer = () => `cus_${randomBytes(6).toString("hex")}`;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A live session of `customerId`, idle for `ttlMs`, absolute ten times that. */
export function record(customerId: string, ttlMs = 60_000): SessionRecord {
  const now = Date.now();
  return {
    customerId,
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + ttlMs,
    absoluteExpiresAt: now + 10 * ttlMs,
    userAgent: "conformance/1.0",
  };
}

/** The failure of a case whose method the store does not have. */
export const MISSING = (method: string) =>
  `the store has no ${method}(): declare it in options.lacks with the reason, so the case is reported as skipped`;
