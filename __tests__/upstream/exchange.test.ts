import { EventEmitter } from "node:events";
import type { Response } from "express";
import { errors, type Dispatcher } from "undici";
import { UpstreamError } from "../../lib/errors/errors.js";
import {
  Exchange,
  upstreamError,
  type Answer,
  type Spilling,
} from "../../lib/upstream/exchange.js";
import { SpillBudget } from "../../lib/upstream/spill.js";

/** undici's side of an exchange: what the handler asks of the connection. */
function controller() {
  return {
    abort: jest.fn(),
    pause: jest.fn(),
    resume: jest.fn(),
    paused: false,
    aborted: false,
    reason: null,
  } as unknown as Dispatcher.DispatchController & {
    abort: jest.Mock;
    pause: jest.Mock;
    resume: jest.Mock;
  };
}

/** The browser's response: `write` answers as `accepts` says (false: its buffer is full). */
function browser() {
  const res = Object.assign(new EventEmitter(), {
    accepts: true,
    destroyed: false,
    written: [] as Buffer[],
    write: jest.fn(),
    end: jest.fn(),
    destroy: jest.fn(),
  });
  res.write.mockImplementation((chunk: Buffer) => {
    res.written.push(chunk);
    return res.accepts;
  });
  return res;
}
const asResponse = (res: ReturnType<typeof browser>) => res as unknown as Response;

/** An exchange with its outcome, its controller and its slot's release counted. */
function start(mode: "read" | "forward", limit = 10, spilling?: Spilling) {
  const outcome: { answer?: Answer; error?: unknown } = {};
  const releaseSlot = jest.fn();
  const exchange = new Exchange(
    mode,
    limit,
    (answer) => (outcome.answer = answer),
    (error) => (outcome.error = error),
    releaseSlot,
    spilling,
  );
  const ctl = controller();
  exchange.onRequestStart(ctl);
  exchange.onResponseStart(ctl, 200, { "content-type": "text/plain" });
  return { exchange, ctl, outcome, releaseSlot };
}

const bytes = (n: number, fill = "a") => Buffer.alloc(n, fill);

describe("an answer within the limit", () => {
  it("resolves once it ended, whole, in the chunks it came in, and releases its slot once", () => {
    const { exchange, ctl, outcome, releaseSlot } = start("forward");
    const a = bytes(4, "a");
    const b = bytes(6, "b");
    exchange.onResponseData(ctl, a);
    exchange.onResponseData(ctl, b);
    expect(outcome.answer).toBeUndefined();
    exchange.onResponseEnd();
    expect(outcome.answer).toBe(exchange);
    expect(exchange).toMatchObject({ status: 200, complete: true });
    expect(exchange.headers).toEqual({ "content-type": "text/plain" });
    expect(exchange.body().toString()).toBe("aaaabbbbbb");
    expect(exchange.chunks()).toEqual([a, b]);
    expect(exchange.chunks()[0]).toBe(a);
    expect(releaseSlot).toHaveBeenCalledTimes(1);
  });

  it("body() of a single chunk is that chunk, not a copy", () => {
    const { exchange, ctl } = start("read");
    const only = bytes(3);
    exchange.onResponseData(ctl, only);
    exchange.onResponseEnd();
    expect(exchange.body()).toBe(only);
  });
});

describe("read: an answer larger than the limit", () => {
  it("aborts with BFF_UPSTREAM_BAD_ANSWER; the error undici reports back rejects, slot released once", () => {
    const { exchange, ctl, outcome, releaseSlot } = start("read", 10);
    exchange.onResponseData(ctl, bytes(10));
    expect(ctl.abort).not.toHaveBeenCalled();
    exchange.onResponseData(ctl, bytes(1));
    expect(ctl.abort).toHaveBeenCalledTimes(1);
    const reason = ctl.abort.mock.calls[0]![0] as unknown;
    expect(reason).toBeInstanceOf(UpstreamError);
    expect(reason).toMatchObject({ code: "BFF_UPSTREAM_BAD_ANSWER", status: 502 });
    // undici then reports the abort through onResponseError.
    exchange.onResponseError(ctl, reason as Error);
    expect(outcome.error).toBe(reason);
    expect(outcome.answer).toBeUndefined();
    expect(releaseSlot).toHaveBeenCalledTimes(1);
  });
});

describe("forward: an answer larger than the limit", () => {
  it("pauses the backend and resolves with what it has, not complete, the slot still held", () => {
    const { exchange, ctl, outcome, releaseSlot } = start("forward", 10);
    exchange.onResponseData(ctl, bytes(8));
    exchange.onResponseData(ctl, bytes(8));
    expect(ctl.pause).toHaveBeenCalledTimes(1);
    expect(ctl.abort).not.toHaveBeenCalled();
    expect(outcome.answer).toBe(exchange);
    expect(exchange.complete).toBe(false);
    expect(exchange.body()).toHaveLength(16);
    expect(releaseSlot).not.toHaveBeenCalled();
  });

  it("pipe() writes what was read, resumes the backend, streams the rest and ends", async () => {
    const { exchange, ctl, releaseSlot } = start("forward", 4);
    exchange.onResponseData(ctl, bytes(5, "a"));
    const res = browser();
    const piped = exchange.pipe(asResponse(res), 1000);
    expect(res.written.map(String)).toEqual(["aaaaa"]);
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    exchange.onResponseData(ctl, bytes(3, "b"));
    expect(res.written.map(String)).toEqual(["aaaaa", "bbb"]);
    // Nothing more is buffered once piping: what is written is not kept.
    expect(exchange.chunks()).toEqual([]);
    exchange.onResponseEnd();
    await expect(piped).resolves.toBeUndefined();
    expect(res.end).toHaveBeenCalledTimes(1);
    expect(releaseSlot).toHaveBeenCalledTimes(1);
  });

  it("a backend failure mid-pipe rejects pipe() with the mapped error, slot released once", async () => {
    const { exchange, ctl, releaseSlot } = start("forward", 4);
    exchange.onResponseData(ctl, bytes(5));
    const piped = exchange.pipe(asResponse(browser()), 1000);
    exchange.onResponseError(ctl, new errors.BodyTimeoutError());
    await expect(piped).rejects.toMatchObject({ code: "BFF_UPSTREAM_TIMEOUT" });
    exchange.onResponseError(ctl, new Error("again"));
    expect(releaseSlot).toHaveBeenCalledTimes(1);
  });

  it("cancel() aborts the rest; it does nothing to a complete answer", () => {
    const big = start("forward", 4);
    big.exchange.onResponseData(big.ctl, bytes(5));
    big.exchange.cancel();
    expect(big.ctl.abort).toHaveBeenCalledWith(
      expect.objectContaining({ code: "BFF_UPSTREAM_BAD_ANSWER" }),
    );
    const small = start("forward", 4);
    small.exchange.onResponseEnd();
    small.exchange.cancel();
    expect(small.ctl.abort).not.toHaveBeenCalled();
  });
});

describe("backpressure", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("pauses the backend while the browser does not read, and resumes on drain", () => {
    const { exchange, ctl } = start("forward", 4);
    exchange.onResponseData(ctl, bytes(5));
    const res = browser();
    void exchange.pipe(asResponse(res), 1000);
    ctl.resume.mockClear();
    res.accepts = false;
    exchange.onResponseData(ctl, bytes(5));
    expect(ctl.pause).toHaveBeenCalledTimes(2); // once at the limit, once for the full buffer
    expect(ctl.resume).not.toHaveBeenCalled();
    jest.advanceTimersByTime(999);
    res.emit("drain");
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    // The stall timer went with the drain: nothing is cut later.
    jest.advanceTimersByTime(10_000);
    expect(res.destroy).not.toHaveBeenCalled();
    expect(ctl.abort).not.toHaveBeenCalled();
  });

  it("waits for drain before resuming when the first write already fills the buffer", () => {
    const { exchange, ctl } = start("forward", 4);
    exchange.onResponseData(ctl, bytes(5));
    const res = browser();
    res.accepts = false;
    void exchange.pipe(asResponse(res), 1000);
    expect(ctl.resume).not.toHaveBeenCalled();
    res.emit("drain");
    expect(ctl.resume).toHaveBeenCalledTimes(1);
  });

  it("cuts a browser that stalls longer than sendTimeout and aborts the backend", () => {
    const { exchange, ctl } = start("forward", 4);
    exchange.onResponseData(ctl, bytes(5));
    const res = browser();
    void exchange.pipe(asResponse(res), 1000);
    res.accepts = false;
    exchange.onResponseData(ctl, bytes(5));
    jest.advanceTimersByTime(999);
    expect(res.destroy).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledTimes(1);
    expect(ctl.abort).toHaveBeenCalledWith(
      expect.objectContaining({ code: "BFF_UPSTREAM_UNREACHABLE" }),
    );
  });
});

describe("spilling: the backend goes on while the browser is behind", () => {
  /** A larger answer whose first 5 bytes the browser could not take, spilling to `spilling`. */
  /** Files of `size` bytes, all within one budget of `total` bytes. */
  const spillTo = (size: number, budget = new SpillBudget(1 << 30)): Spilling => ({ size, budget });

  function behind(spilling: Spilling) {
    const started = start("forward", 4, spilling);
    started.exchange.onResponseData(started.ctl, Buffer.from("aaaaa"));
    const res = browser();
    res.accepts = false;
    started.exchange.abortOnClose(asResponse(res));
    const piped = started.exchange.pipe(asResponse(res), 1000);
    return { ...started, res, piped };
  }
  const sent = (res: ReturnType<typeof browser>) => Buffer.concat(res.written).toString();

  it("frees the backend connection once the backend is done, then sends every byte in order", async () => {
    const { exchange, ctl, releaseSlot, res, piped } = behind(spillTo(1024));
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    exchange.onResponseData(ctl, Buffer.from("bbb"));
    exchange.onResponseData(ctl, Buffer.from("ccc"));
    expect(ctl.pause).toHaveBeenCalledTimes(1); // only at the buffer's limit
    exchange.onResponseEnd();
    expect(releaseSlot).toHaveBeenCalledTimes(1);
    expect(res.end).not.toHaveBeenCalled();
    res.accepts = true;
    res.emit("drain");
    await piped;
    expect(sent(res)).toBe("aaaaabbbccc");
    expect(res.end).toHaveBeenCalledTimes(1);
  });

  it("keeps the order when the browser drains while the backend is still sending", async () => {
    const { exchange, ctl, res, piped } = behind(spillTo(1024));
    exchange.onResponseData(ctl, Buffer.from("bbb"));
    res.accepts = true;
    res.emit("drain");
    // Arrives while the spilled "bbb" is being read back: it must queue behind it.
    exchange.onResponseData(ctl, Buffer.from("ccc"));
    exchange.onResponseEnd();
    await piped;
    expect(sent(res)).toBe("aaaaabbbccc");
  });

  it("pauses the backend once spillLimit bytes wait, and resumes it when they are sent", async () => {
    const { exchange, ctl, releaseSlot, res, piped } = behind(spillTo(4));
    exchange.onResponseData(ctl, Buffer.from("bbb"));
    expect(ctl.pause).toHaveBeenCalledTimes(1);
    exchange.onResponseData(ctl, Buffer.from("ccc"));
    expect(ctl.pause).toHaveBeenCalledTimes(2);
    ctl.resume.mockClear();
    res.accepts = true;
    res.emit("drain");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    expect(releaseSlot).not.toHaveBeenCalled();
    exchange.onResponseEnd();
    await piped;
    expect(sent(res)).toBe("aaaaabbbccc");
  });

  const KiB = 1024;
  const block = (n: number, fill: string) => Buffer.alloc(n * KiB, fill);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it("a file partly taken keeps its length: at spillSize it takes no more until the browser caught up", async () => {
    const { exchange, ctl, res, piped } = behind(spillTo(100 * KiB));
    for (const fill of "bcd") exchange.onResponseData(ctl, block(40, fill)); // 120 KiB
    expect(ctl.pause).toHaveBeenCalledTimes(2);
    ctl.resume.mockClear();
    // The browser takes one read's worth (64 KiB) and is full again: 56 KiB still wait.
    res.emit("drain");
    await settle();
    expect(Buffer.concat(res.written).length).toBe(5 + 64 * KiB);
    expect(ctl.resume).not.toHaveBeenCalled();
    res.accepts = true;
    res.emit("drain");
    await settle();
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    exchange.onResponseEnd();
    await piped;
    expect(sent(res)).toBe(
      "aaaaa" + "b".repeat(40 * KiB) + "c".repeat(40 * KiB) + "d".repeat(40 * KiB),
    );
  });

  it("pauses the backend while 256 KiB wait in memory for the disk, and resumes once written", async () => {
    const { exchange, ctl, res, piped } = behind(spillTo(64 * 1024 * KiB));
    for (let i = 0; i < 4; i++) exchange.onResponseData(ctl, block(64, "b"));
    expect(ctl.pause).toHaveBeenCalledTimes(2); // at the buffer's limit, and at 256 KiB queued
    ctl.resume.mockClear();
    await settle();
    expect(ctl.resume).toHaveBeenCalledTimes(1);
    res.accepts = true;
    res.emit("drain");
    exchange.onResponseEnd();
    await piped;
    expect(Buffer.concat(res.written).length).toBe(5 + 256 * KiB);
  });

  it("with the budget of all files spent, the backend waits and the bytes keep their order", async () => {
    const budget = new SpillBudget(100 * KiB);
    const first = behind(spillTo(1024 * KiB, budget));
    first.exchange.onResponseData(first.ctl, block(80, "x")); // 80 of the 100 KiB
    const second = start("forward", 4, spillTo(1024 * KiB, budget));
    second.exchange.onResponseData(second.ctl, Buffer.from("aaaaa"));
    const res = browser();
    res.accepts = false;
    const piped = second.exchange.pipe(asResponse(res), 1000);
    second.exchange.onResponseData(second.ctl, block(10, "b")); // spilled: 90 KiB
    second.exchange.onResponseData(second.ctl, block(20, "c")); // over budget: held
    second.exchange.onResponseData(second.ctl, block(1, "d")); // still held, in order
    expect(second.ctl.pause).toHaveBeenCalledTimes(2);
    second.ctl.resume.mockClear();
    res.accepts = true;
    res.emit("drain");
    await settle();
    expect(second.ctl.resume).toHaveBeenCalledTimes(1);
    second.exchange.onResponseEnd();
    await piped;
    expect(sent(res)).toBe("aaaaa" + "b".repeat(10 * KiB) + "c".repeat(20 * KiB) + "d".repeat(KiB));
    first.res.emit("close");
  });

  it("cuts off a browser that stalls past sendTimeout after the backend is done", async () => {
    const { exchange, ctl } = start("forward", 4, spillTo(1024));
    exchange.onResponseData(ctl, Buffer.from("aaaaa"));
    const res = browser();
    res.accepts = false;
    exchange.abortOnClose(asResponse(res));
    const piped = exchange.pipe(asResponse(res), 20);
    exchange.onResponseData(ctl, Buffer.from("bbb"));
    exchange.onResponseEnd();
    await expect(piped).rejects.toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
    expect(res.destroy).toHaveBeenCalledTimes(1);
    expect(ctl.abort).not.toHaveBeenCalled();
  });

  it("a browser that goes away after the backend is done settles pipe(), once", async () => {
    const { exchange, ctl, res, piped } = behind(spillTo(1024));
    exchange.onResponseData(ctl, Buffer.from("bbb"));
    exchange.onResponseEnd();
    res.emit("close");
    await expect(piped).rejects.toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
    res.emit("drain");
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(res.end).not.toHaveBeenCalled();
  });
});

describe("abortOnClose()", () => {
  it("aborts the exchange when the browser goes before the answer is complete", () => {
    const { exchange, ctl } = start("forward");
    const res = browser();
    exchange.abortOnClose(asResponse(res));
    res.emit("close");
    expect(ctl.abort).toHaveBeenCalledTimes(1);
    expect(ctl.abort.mock.calls[0]![0]).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
  });

  it("leaves a complete exchange alone", () => {
    const { exchange, ctl } = start("forward");
    const res = browser();
    exchange.abortOnClose(asResponse(res));
    exchange.onResponseEnd();
    res.emit("close");
    expect(ctl.abort).not.toHaveBeenCalled();
  });
});

it("an error before the answer settles rejects with it as given, slot released once", () => {
  const { exchange, ctl, outcome, releaseSlot } = start("read");
  const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  exchange.onResponseError(ctl, refused);
  exchange.onResponseError(ctl, refused);
  expect(outcome.error).toBe(refused);
  expect(releaseSlot).toHaveBeenCalledTimes(1);
});

describe("upstreamError()", () => {
  it.each<[string, unknown]>([
    ["HeadersTimeoutError", new errors.HeadersTimeoutError()],
    ["BodyTimeoutError", new errors.BodyTimeoutError()],
    ["UND_ERR_CONNECT_TIMEOUT", new errors.ConnectTimeoutError()],
    [
      "a plain error with a timeout code",
      Object.assign(new Error(), { code: "UND_ERR_HEADERS_TIMEOUT" }),
    ],
  ])("%s → BFF_UPSTREAM_TIMEOUT (504), the original kept as cause", (_, error) => {
    const mapped = upstreamError(error);
    expect(mapped).toBeInstanceOf(UpstreamError);
    expect(mapped).toMatchObject({ code: "BFF_UPSTREAM_TIMEOUT", status: 504 });
    expect(mapped.cause).toBe(error);
  });

  it.each<[string, unknown]>([
    ["ECONNREFUSED", Object.assign(new Error(), { code: "ECONNREFUSED" })],
    ["a socket error", new errors.SocketError("other side closed")],
    ["a closed client", new errors.ClientClosedError()],
    ["not an error", "boom"],
    ["null", null],
  ])("%s → BFF_UPSTREAM_UNREACHABLE (502)", (_, error) => {
    expect(upstreamError(error)).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE", status: 502 });
  });

  it("passes an UpstreamError through as it is", () => {
    const busy = new UpstreamError("BFF_UPSTREAM_BUSY", "busy");
    expect(upstreamError(busy)).toBe(busy);
  });
});
