/** A session store call that did not settle within `session.storeTimeout`. */
export class StoreTimeoutError extends Error {
  override readonly name = "StoreTimeoutError";
  constructor(operation: string, ms: number) {
    super(`session store ${operation} did not answer within ${ms} ms`);
  }
}

interface Pending {
  at: number;
  operation: string;
  reject: (error: Error) => void;
}

/**
 * Bounds store calls in time with one shared, unref'd interval instead of a timer per call:
 * a timer object per request showed up in profiles (allocation and GC) on the hot path. A call
 * is rejected between `timeout` and 1.25 × `timeout` after it started. The interval runs while
 * calls come and goes, and stops at the first tick that finds nothing in flight: under load it
 * is never torn down and set up again per call.
 */
export class Deadlines {
  private readonly pending = new Set<Pending>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly tick: number;

  constructor(private readonly timeout: number) {
    this.tick = Math.max(5, Math.floor(timeout / 4));
  }

  run<T>(operation: string, call: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { at: Date.now() + this.timeout, operation, reject };
      this.add(entry);
      call.then(
        (value) => {
          this.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.delete(entry);
          reject(error);
        },
      );
    });
  }

  private add(entry: Pending): void {
    this.pending.add(entry);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.expire(), this.tick);
      this.timer.unref();
    }
  }

  private delete(entry: Pending): void {
    this.pending.delete(entry);
  }

  private expire(): void {
    if (this.pending.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = Date.now();
    for (const entry of this.pending) {
      if (entry.at <= now) {
        this.delete(entry);
        entry.reject(new StoreTimeoutError(entry.operation, this.timeout));
      }
    }
  }
}
