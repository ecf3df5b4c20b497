import type { Request, RequestHandler, Response } from "express";

/**
 * One readiness check: resolves when its dependency is usable, rejects (or times out) when not.
 *
 * @example
 * ```ts
 * const store: ReadinessCheck = async () => void (await redis.ping());
 * ```
 */
export type ReadinessCheck = () => Promise<void>;

/**
 * Options of `readinessHandler`.
 *
 * @example
 * ```ts
 * const options: ReadinessOptions = { timeout: 1000, onFailure: (name, err) => log.warn({ err }, name) };
 * ```
 */
export interface ReadinessOptions {
  /** Milliseconds each check may take before it counts as failing. Default 2000. */
  timeout?: number;
  /** Told which check failed and why (for a log); the response never says why. */
  onFailure?: (name: string, error: unknown) => void;
}

/**
 * The readiness answer: `ok` when every check passed; a failing check is named, never explained.
 *
 * @example
 * ```ts
 * const body: ReadinessBody = { status: "failing", checks: { store: "ok", backend: "failing" } };
 * ```
 */
export interface ReadinessBody {
  status: "ok" | "failing";
  checks: Record<string, "ok" | "failing">;
}

const DEFAULT_TIMEOUT = 2000;

class ReadinessTimeoutError extends Error {
  override readonly name = "ReadinessTimeoutError";
}

/**
 * An Express handler for a load balancer's readiness probe, to mount where the app likes: runs
 * every check at once, each bounded by `timeout`, and answers 200 `{ status: "ok", checks }` or
 * 503 `{ status: "failing", checks }` with `"failing"` for each check that rejected or timed out,
 * and `Cache-Control: no-store`. Error messages stay out of the answer (an unauthenticated probe
 * must not learn hosts or internals); `onFailure` receives them. Probes that arrive while a round
 * of checks runs share it, so a burst of probes costs one round.
 *
 * @example
 * ```ts
 * app.get("/ready", readinessHandler({
 *   store: async () => void (await redis.ping()),
 *   backend: async () => { const r = await fetch(`${backend}/health`); if (!r.ok) throw new Error(String(r.status)); },
 * }, { timeout: 1000 }));
 * ```
 */
export function readinessHandler(
  checks: Record<string, ReadinessCheck>,
  options: ReadinessOptions = {},
): RequestHandler {
  if (typeof checks !== "object" || checks === null) {
    throw new TypeError("readinessHandler: checks must be an object of functions");
  }
  const entries = Object.entries(checks);
  for (const [name, check] of entries) {
    if (typeof check !== "function") {
      throw new TypeError(`readinessHandler: checks.${name} must be a function`);
    }
  }
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new TypeError("readinessHandler: timeout must be a positive number of milliseconds");
  }
  const { onFailure } = options;

  async function runOne(name: string, check: ReadinessCheck): Promise<"ok" | "failing"> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ReadinessTimeoutError(`${name}: ${timeout} ms`)),
        timeout,
      );
    });
    try {
      // A check that throws synchronously fails like one that rejects.
      await Promise.race([Promise.resolve().then(check), expired]);
      return "ok";
    } catch (error) {
      try {
        onFailure?.(name, error);
      } catch {
        // A logger's failure does not change the answer.
      }
      return "failing";
    } finally {
      clearTimeout(timer);
    }
  }

  async function runAll(): Promise<ReadinessBody> {
    const results = await Promise.all(entries.map(([name, check]) => runOne(name, check)));
    return {
      status: results.includes("failing") ? "failing" : "ok",
      // fromEntries defines properties: a check named "__proto__" stays a plain key.
      checks: Object.fromEntries(entries.map(([name], i) => [name, results[i]!])),
    };
  }

  let round: Promise<ReadinessBody> | undefined;
  return function readiness(_req: Request, res: Response): void {
    round ??= runAll().finally(() => (round = undefined));
    round
      .then((body) => {
        res.setHeader("Cache-Control", "no-store");
        res.status(body.status === "ok" ? 200 : 503).json(body);
      })
      .catch(() => res.destroy());
  };
}
