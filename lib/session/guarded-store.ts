import { SessionStoreError } from "../errors/errors.js";
import type { SessionEvent } from "../events.js";
import { MemorySessionStore } from "../stores/memory.js";
import type { SessionStore } from "../stores/session-store.js";
import { Deadlines } from "./deadlines.js";

/**
 * Every call into the session store goes through here: bounded by `session.storeTimeout`, and
 * any failure (a throw, a rejection, the timeout) becomes SessionStoreError (the documented
 * 500) and a `store.error` event. A store that hangs must not hold requests, and their
 * sockets, forever.
 */
export class GuardedStore {
  private readonly deadlines: Deadlines;
  // The memory store never waits on I/O: nothing to bound.
  private readonly inProcess: boolean;

  constructor(
    readonly store: SessionStore,
    timeout: number,
    private readonly report: (event: SessionEvent) => void,
  ) {
    this.deadlines = new Deadlines(timeout);
    this.inProcess = store instanceof MemorySessionStore;
  }

  async call<T>(operation: string, run: () => T | Promise<T>): Promise<T> {
    try {
      if (this.inProcess) return await run();
      // Promise.resolve: a store method that returns a plain value still works.
      return await this.deadlines.run(operation, Promise.resolve(run()));
    } catch (error) {
      this.report({ type: "store.error", operation, error });
      throw new SessionStoreError(operation, { cause: error });
    }
  }
}
