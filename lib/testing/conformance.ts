import type { SessionStore } from "../stores/session-store.js";
import { attemptCounterCases } from "./cases/attempt-counter.js";
import { consumeTokenIdCases } from "./cases/consume-token-id.js";
import { sleep, type CaseKit } from "./cases/kit.js";
import { listByCustomerCases } from "./cases/list-by-customer.js";
import { maxPerCustomerCases } from "./cases/max-per-customer.js";
import { recordCases } from "./cases/records.js";
import { sessionCases } from "./cases/sessions.js";

/**
 * The test functions of your runner: jest, vitest, mocha (globals) or `node:test`.
 *
 * @example
 * ```ts
 * import { describe, it } from "node:test";
 * sessionStoreConformance("MyStore", () => new MyStore(), { harness: { describe, it } });
 * ```
 */
export interface ConformanceHarness {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>): void;
  /** Registers a case reported as skipped. Default: the runner's `it.skip`. */
  skip?(name: string, fn: () => Promise<void>): void;
}

/**
 * The optional features of a {@link SessionStore} the kit checks, each needed by a router
 * feature: listing (list/revoke), used tokens (`token.singleUse`, `upstream`), the
 * per-customer cap (`session.maxPerCustomer`), shared attempt counts
 * (`upstream.signInLimits`) and small records (`getRecord`/`setRecord`, `upstream`).
 *
 * @example
 * ```ts
 * const lacks: Partial<Record<StoreFeature, string>> = { maxPerCustomer: "would read every session per sign-in" };
 * ```
 */
export type StoreFeature =
  "listByCustomer" | "consumeTokenId" | "maxPerCustomer" | "attemptCounter" | "records";

/**
 * Options of {@link sessionStoreConformance}.
 *
 * @example
 * ```ts
 * sessionStoreConformance("MyStore", () => new MyStore(url), { teardown: (store) => (store as MyStore).close(), expiryResolution: 1000 });
 * ```
 */
export interface ConformanceOptions {
  /** Test functions; default: the global `describe` and `it` (jest, vitest, mocha). */
  harness?: ConformanceHarness;
  /**
   * How coarse the store's expiry is, in ms (1000 for stores with second TTLs, such as
   * connect-redis). The expiry cases wait this much longer. Default 0. The router checks
   * deadlines itself, so a coarse store is still safe; this only bounds cleanup.
   */
  expiryResolution?: number;
  /** Called after each case with the store it used (close connections, flush keys). */
  teardown?: (store: SessionStore) => void | Promise<void>;
  /**
   * Features the store lacks on purpose, each with the reason: their cases are reported as
   * skipped with it, never as passed. A missing `listByCustomer`, `consumeTokenId`,
   * `attemptCounter` or `getRecord`/`setRecord` is found on its own when the factory returns the
   * store synchronously; otherwise, and for the cap (which `set` shows only when called), a case
   * for a feature the store lacks fails.
   */
  lacks?: Partial<Record<StoreFeature, string>>;
}

/**
 * The behaviour every {@link SessionStore} must have, as one test suite. Run it against your
 * own store to prove it: round trips, copies, guarded `touch` (no resurrection after destroy,
 * also when the two race), idempotent `destroy`, expiry at the record's deadline, and — where
 * implemented — per-customer listing, single-use token ids, the per-customer cap, attempt
 * counters and small records. A feature the store lacks is reported as skipped with the reason,
 * never as passed. Uses real time (the expiry cases wait about 120 ms plus `expiryResolution`).
 *
 * @example
 * ```ts
 * // my-store.test.ts (jest or vitest)
 * import { sessionStoreConformance } from "bff-session/testing";
 * sessionStoreConformance("MyStore", () => new MyStore({ url: process.env.DB_URL }));
 * ```
 */
export function sessionStoreConformance(
  name: string,
  factory: () => SessionStore | Promise<SessionStore>,
  options: ConformanceOptions = {},
): void {
  const harness = options.harness ?? (globalThis as unknown as ConformanceHarness);
  if (typeof harness.describe !== "function" || typeof harness.it !== "function") {
    throw new TypeError(
      "sessionStoreConformance: no describe/it found; pass { harness: { describe, it } }",
    );
  }
  const { describe, it } = harness;
  const skip = harness.skip ?? (it as { skip?: ConformanceHarness["it"] }).skip;
  const lacks = { ...detectMissing(factory, options.teardown), ...options.lacks };
  const test: CaseKit["test"] = (title, body) =>
    it(title, async () => {
      const store = await factory();
      try {
        await body(store);
      } finally {
        await options.teardown?.(store);
      }
    });
  const feature: CaseKit["feature"] = (needs, title, body) => {
    const reason = lacks[needs];
    if (reason === undefined) return test(title, body);
    const skipped = `${title} (skipped: ${reason})`;
    if (typeof skip !== "function") {
      throw new TypeError(
        `sessionStoreConformance: "${skipped}" needs a harness that can skip (it.skip or harness.skip)`,
      );
    }
    skip(skipped, async () => {});
  };
  const kit: CaseKit = {
    test,
    feature,
    afterExpiry: () => sleep(120 + (options.expiryResolution ?? 0)),
  };

  describe(`SessionStore conformance: ${name}`, () => {
    sessionCases(kit);
    listByCustomerCases(kit);
    consumeTokenIdCases(kit);
    maxPerCustomerCases(kit);
    attemptCounterCases(kit);
    recordCases(kit);
  });
}

/** The optional methods of each feature the kit can find missing by looking. */
const METHODS: ReadonlyArray<[StoreFeature, ReadonlyArray<keyof SessionStore>]> = [
  ["listByCustomer", ["listByCustomer"]],
  ["consumeTokenId", ["consumeTokenId"]],
  ["attemptCounter", ["attemptCounter"]],
  ["records", ["getRecord", "setRecord"]],
];

/** The optional methods a synchronously built store lacks (the probe is torn down at once). */
function detectMissing(
  factory: () => SessionStore | Promise<SessionStore>,
  teardown: ConformanceOptions["teardown"],
): Partial<Record<StoreFeature, string>> {
  let probe: SessionStore | Promise<SessionStore>;
  try {
    probe = factory();
  } catch {
    return {}; // built from what a beforeAll sets up: judged case by case instead
  }
  if (typeof (probe as Promise<SessionStore>).then === "function") {
    void (probe as Promise<SessionStore>).then((store) => teardown?.(store)).catch(() => {});
    return {};
  }
  const store = probe as SessionStore;
  const missing: Partial<Record<StoreFeature, string>> = {};
  for (const [feature, methods] of METHODS) {
    const absent = methods.filter((method) => typeof store[method] !== "function");
    if (absent.length > 0) missing[feature] = `the store has no ${absent.join("() or ")}()`;
  }
  void Promise.resolve()
    .then(() => teardown?.(store))
    .catch(() => {});
  return missing;
}
