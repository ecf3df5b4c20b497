import type { IncomingHttpHeaders } from "node:http";
import type { Response } from "express";
import { errors, type Dispatcher } from "undici";
import { UpstreamError } from "../errors/errors.js";
import { Spill, type SpillBudget } from "./spill.js";

/** How much of a spilled answer goes to the browser per write. */
const SPILL_READ = 64 * 1024;
/** Bytes on their way to a spill file, in memory, before the backend is paused. */
const SPILL_QUEUE = 256 * 1024;

/** Where a larger answer's untaken part may wait: `size` bytes a file, within `budget`. */
export interface Spilling {
  size: number;
  budget: SpillBudget;
}

/** A backend answer: its head, what was read of its body, and the rest when it was larger. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body read so far: all of it when `complete`. */
  body(): Buffer;
  /** The same, as the chunks it arrived in. */
  chunks(): readonly Buffer[];
  /** Whether the body was read whole (the backend connection is then free). */
  readonly complete: boolean;
  /**
   * Sends the rest of a larger answer into `res` after what `body()` gave. What the client
   * does not take at once waits in a temporary file (`spilling`) while the backend goes on
   * sending, so the backend connection is free when the backend is done; with the file full,
   * or the budget of all files spent, the backend is paused until the client catches up. A
   * client that stalls longer than `sendTimeout` is cut off (and a paused backend with it).
   * Resolves when the answer has ended.
   */
  pipe(res: Response, sendTimeout: number): Promise<void>;
  /** Drops the rest of a larger answer: the backend connection is closed and freed. */
  cancel(): void;
}

type Controller = Dispatcher.DispatchController;

/**
 * One exchange with the backend, as an undici dispatch handler: no stream objects in between.
 * The answer's body is collected up to `limit`; beyond it a `read` exchange fails (502) and a
 * `forward` exchange resolves with what it has and streams the rest on demand (`pipe`),
 * spilling what the client cannot take yet to a temporary file (`spilling`).
 * `release` gives the backend connection's slot back, exactly once.
 */
export class Exchange implements Dispatcher.DispatchHandler, Answer {
  status = 0;
  headers: IncomingHttpHeaders = {};
  complete = false;
  private controller: Controller | undefined;
  private received: Buffer[] = [];
  private size = 0;
  private settled = false;
  private released = false;
  private sink: Response | undefined;
  private finishPipe: ((error?: Error) => void) | undefined;
  private stall: ReturnType<typeof setTimeout> | undefined;
  private sendTimeout = 0;
  /** The client's socket is full: nothing goes to it before "drain". */
  private waiting = false;
  /** Spilled bytes are being written to the client: new ones queue behind them. */
  private flushing = false;
  private spill: Spill | undefined;
  /** The budget of all spill files could not take a chunk: no more spilling until caught up. */
  private starved = false;
  /** Chunks that arrived while the file could take none, in order, behind what it holds. */
  private held: Buffer[] = [];
  private backendPaused = false;

  constructor(
    private readonly mode: "read" | "forward",
    private readonly limit: number,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly releaseSlot: () => void,
    private readonly spilling?: Spilling,
  ) {}

  /** Aborts the exchange when the browser goes away before it ends. */
  abortOnClose(res: Response): void {
    res.once("close", () => {
      this.clearStall();
      this.spill?.close();
      if (!this.complete) this.controller?.abort(gone());
      else this.finish(gone());
    });
  }

  body(): Buffer {
    const chunks = this.received;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
  }

  chunks(): readonly Buffer[] {
    return this.received;
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
  }

  onResponseStart(_controller: Controller, status: number, headers: IncomingHttpHeaders): void {
    this.status = status;
    this.headers = headers;
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.sink !== undefined) return void this.send(controller, chunk);
    this.size += chunk.length;
    this.received.push(chunk);
    if (this.size <= this.limit) return;
    if (this.mode === "read") {
      controller.abort(
        new UpstreamError("BFF_UPSTREAM_BAD_ANSWER", `an answer larger than ${this.limit} bytes`),
      );
      return;
    }
    // Larger than the buffer: the head and what was read go out now, the rest on demand.
    this.pauseBackend(controller);
    this.settle();
  }

  onResponseEnd(): void {
    this.complete = true;
    this.release();
    if (this.sink !== undefined) return void this.endWhenSent();
    this.settle();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.release();
    this.clearStall();
    this.spill?.close();
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
      return;
    }
    // Mid-answer: the status is out; the route's failure handler cuts the answer off.
    this.finish(upstreamError(error));
  }

  cancel(): void {
    if (!this.complete)
      this.controller?.abort(new UpstreamError("BFF_UPSTREAM_BAD_ANSWER", "dropped"));
  }

  pipe(res: Response, sendTimeout: number): Promise<void> {
    this.sink = res;
    this.sendTimeout = sendTimeout;
    const written = this.body();
    this.received = [];
    return new Promise<void>((resolve, reject) => {
      this.finishPipe = (error) => (error === undefined ? resolve() : reject(error));
      const full = written.length > 0 && !res.write(written);
      if (full) this.waitForDrain();
      if (full && this.spilling === undefined) return;
      this.backendPaused = false;
      this.controller?.resume();
    });
  }

  /** A chunk of a larger answer: to the client when it keeps up, else spilled, else held. */
  private send(controller: Controller, chunk: Buffer): void {
    if (!this.waiting && !this.flushing) {
      if (!this.sink!.write(chunk)) this.behind(controller);
      return;
    }
    if (this.spilling === undefined) {
      // No spilling: the chunk (already on its way when the backend was paused) joins the
      // client's buffer.
      this.sink!.write(chunk);
      return;
    }
    if (this.starved || !this.spillFile().append(chunk)) {
      // The budget of all files is spent: the chunk waits here, and the backend waits.
      this.starved = true;
      this.held.push(chunk);
      this.pauseBackend(controller);
      return;
    }
    if (this.spillFull()) this.pauseBackend(controller);
  }

  private spillFile(): Spill {
    this.spill ??= new Spill(this.spilling!.budget, {
      onError: (error) => this.cutOff(error),
      onWritten: () => {
        // Written out of memory: the backend may go on if the file has room.
        if (this.backendPaused && (this.waiting || this.flushing) && !this.spillFull())
          this.resumeBackend();
      },
    });
    return this.spill;
  }

  /** The file reached its size, the writes to it wait in memory, or the budget is spent. */
  private spillFull(): boolean {
    const spill = this.spill;
    if (spill === undefined) return true;
    return this.starved || spill.size >= this.spilling!.size || spill.queued >= SPILL_QUEUE;
  }

  /** The client's socket is full: wait for it, spilling meanwhile (or pausing the backend). */
  private behind(controller: Controller): void {
    this.waitForDrain();
    if (this.spilling === undefined) this.pauseBackend(controller);
  }

  private pauseBackend(controller: Controller): void {
    if (this.backendPaused) return;
    this.backendPaused = true;
    controller.pause();
  }

  private resumeBackend(): void {
    this.backendPaused = false;
    this.controller!.resume();
  }

  /** Backpressure, with a deadline: a client that does not read is cut off after `sendTimeout`. */
  private waitForDrain(): void {
    this.waiting = true;
    this.stall = setTimeout(
      () =>
        this.cutOff(new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "the client stopped reading")),
      this.sendTimeout,
    );
    this.sink!.once("drain", () => {
      this.clearStall();
      this.waiting = false;
      void this.flush();
    });
  }

  /** Writes what was spilled while the client was behind, then lets the backend go on. */
  private async flush(): Promise<void> {
    this.flushing = true;
    while (!this.waiting && this.spill !== undefined && this.spill.pending > 0) {
      const chunk = await this.spill.take(SPILL_READ);
      if (this.sink!.destroyed) return;
      if (!this.sink!.write(chunk)) this.waitForDrain();
    }
    while (!this.waiting && this.held.length > 0)
      if (!this.sink!.write(this.held.shift())) this.waitForDrain();
    this.flushing = false;
    if (this.waiting) return;
    // Caught up: the file starts over, and the budget may have room again.
    this.starved = false;
    if (this.backendPaused && !this.complete) this.resumeBackend();
    if (this.complete) this.endWhenSent();
  }

  /** The backend is done: the answer ends once the client has taken what was spilled. */
  private endWhenSent(): void {
    if (this.waiting || this.flushing || (this.spill?.pending ?? 0) > 0 || this.held.length > 0)
      return;
    this.clearStall();
    this.spill?.close();
    this.sink!.end();
    this.finish();
  }

  /** Closes the client's connection; a backend still sending is aborted, which frees it. */
  private cutOff(error: Error): void {
    this.clearStall();
    this.spill?.close();
    this.sink!.destroy();
    if (!this.complete) this.controller?.abort(error);
    else this.finish(error);
  }

  /** Settles `pipe()`'s promise, once. */
  private finish(error?: Error): void {
    const finish = this.finishPipe;
    this.finishPipe = undefined;
    finish?.(error);
  }

  private clearStall(): void {
    if (this.stall !== undefined) clearTimeout(this.stall);
    this.stall = undefined;
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(this);
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.releaseSlot();
  }
}

function gone(): UpstreamError {
  return new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "the client went away");
}

const TIMEOUTS: ReadonlySet<string> = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** undici's errors as the one policy: too slow → 504, anything else unreachable → 502. */
export function upstreamError(error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const timedOut =
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    (typeof code === "string" && TIMEOUTS.has(code));
  return timedOut
    ? new UpstreamError("BFF_UPSTREAM_TIMEOUT", "the commerce backend did not answer in time", {
        cause: error,
      })
    : new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "the commerce backend could not be reached", {
        cause: error,
      });
}
