import { UpstreamError } from "../errors/errors.js";

interface Waiter {
  grant: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The backend connections a BFF may use at once, and a bounded wait for one. A request takes a
 * slot only once its body is read whole, and gives it back once the answer is read (or the
 * exchange fails): a slow client never holds one. Past `queueTimeout` without a free slot the
 * request gets 503 with `Retry-After` (nginx answers the same way when its upstream is full),
 * instead of queueing without bound behind the others.
 */
export class Slots {
  private free: number;
  private readonly waiting: Waiter[] = [];

  constructor(
    capacity: number,
    private readonly queueTimeout: number,
  ) {
    this.free = capacity;
  }

  /** Takes a slot: at once (undefined, no promise made) or when one frees up. */
  acquire(): Promise<void> | undefined {
    if (this.free > 0 && this.waiting.length === 0) {
      this.free--;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at !== -1) this.waiting.splice(at, 1);
          reject(
            new UpstreamError("BFF_UPSTREAM_BUSY", "no backend connection became free in time"),
          );
        }, this.queueTimeout),
      };
      this.waiting.push(waiter);
    });
  }

  /** Gives a slot back: to the longest waiter, or to the pool. */
  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.free++;
      return;
    }
    clearTimeout(next.timer);
    next.grant();
  }
}
