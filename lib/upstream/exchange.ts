import type { IncomingHttpHeaders } from "node:http";
import type { Response } from "express";
import { errors, type Dispatcher } from "undici";
import { UpstreamError } from "../errors/errors.js";

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
   * Sends the rest of a larger answer into `res` after what `body()` gave, pausing the
   * backend while the client does not read; a client that stalls longer than `sendTimeout`
   * is cut off, which frees the backend connection. Resolves when the answer has ended.
   */
  pipe(res: Response, sendTimeout: number): Promise<void>;
  /** Drops the rest of a larger answer: the backend connection is closed and freed. */
  cancel(): void;
}

type Controller = Dispatcher.DispatchController;

/**
 * One exchange with the backend, as an undici dispatch handler: no stream objects in between.
 * The answer's body is collected up to `limit`; beyond it a `read` exchange fails (502) and a
 * `forward` exchange resolves with what it has and streams the rest on demand (`pipe`).
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

  constructor(
    private readonly mode: "read" | "forward",
    private readonly limit: number,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly releaseSlot: () => void,
  ) {}

  /** Aborts the exchange when the browser goes away before it ends. */
  abortOnClose(res: Response): void {
    res.once("close", () => {
      if (!this.complete) this.controller?.abort(gone());
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
    if (this.sink !== undefined) return void this.write(controller, chunk);
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
    controller.pause();
    this.settle();
  }

  onResponseEnd(): void {
    this.complete = true;
    this.release();
    if (this.sink !== undefined) {
      this.clearStall();
      this.sink.end();
      this.finishPipe?.();
      return;
    }
    this.settle();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.release();
    this.clearStall();
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
      return;
    }
    // Mid-answer: the status is out; the route's failure handler cuts the answer off.
    this.finishPipe?.(upstreamError(error));
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
      if (written.length > 0 && !res.write(written)) this.waitForDrain(this.controller!);
      else this.controller?.resume();
    });
  }

  private write(controller: Controller, chunk: Buffer): void {
    if (!this.sink!.write(chunk)) {
      controller.pause();
      this.waitForDrain(controller);
    }
  }

  /** Backpressure, with a deadline: a client that does not read is cut off after `sendTimeout`. */
  private waitForDrain(controller: Controller): void {
    const res = this.sink!;
    this.stall = setTimeout(() => {
      res.destroy();
      controller.abort(new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "the client stopped reading"));
    }, this.sendTimeout);
    res.once("drain", () => {
      this.clearStall();
      controller.resume();
    });
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
