import { PassThrough } from "node:stream";
import type { Request, Response } from "express";
import { RequestBodyError } from "../../lib/errors/errors.js";
import { readRequestBody } from "../../lib/upstream/request-body.js";

const limits = { maxBodySize: 10, clientBodyTimeout: 1000 };

/** A request stream with its head; the body is written by the test. */
function incoming(method: string, headers: Record<string, string> = {}, extra: object = {}) {
  const stream = Object.assign(new PassThrough(), { method, headers, ...extra });
  return stream as unknown as Request & PassThrough;
}
function response() {
  const headers: Record<string, string> = {};
  const res = { setHeader: jest.fn((name: string, value: string) => (headers[name] = value)) };
  return { res: res as unknown as Response, headers };
}
const failure = (promise: Promise<unknown> | undefined) =>
  promise!.then(
    () => undefined,
    (e: unknown) => e,
  );

it("reads nothing for GET and HEAD, nor without a declared or chunked body", () => {
  const { res } = response();
  expect(readRequestBody(incoming("GET", { "content-length": "5" }), res, limits)).toBeUndefined();
  expect(readRequestBody(incoming("HEAD"), res, limits)).toBeUndefined();
  expect(readRequestBody(incoming("POST"), res, limits)).toBeUndefined();
  expect(readRequestBody(incoming("POST", { "content-length": "0" }), res, limits)).toBeUndefined();
});

it("reads a body whole, as the bytes sent", async () => {
  const req = incoming("POST", { "content-length": "7" });
  const reading = readRequestBody(req, response().res, limits);
  req.write("abc");
  req.end("defg");
  await expect(reading).resolves.toEqual({ bytes: Buffer.from("abcdefg"), decoded: false });
});

it("resolves undefined for a chunked body that turns out empty", async () => {
  const req = incoming("POST", { "transfer-encoding": "chunked" });
  const reading = readRequestBody(req, response().res, limits);
  req.end();
  await expect(reading).resolves.toBeUndefined();
});

it("413 before reading anything when Content-Length is too big, and the connection closes", () => {
  const req = incoming("POST", { "content-length": "11" });
  const { res, headers } = response();
  const read = jest.spyOn(req, "on");
  let error: unknown;
  try {
    readRequestBody(req, res, limits);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RequestBodyError);
  expect(error).toMatchObject({ code: "BFF_BODY_TOO_LARGE", status: 413 });
  expect(read).not.toHaveBeenCalled();
  expect(headers.Connection).toBe("close");
});

it("413 while reading a chunked body that grows past the limit; the stream is paused", async () => {
  const req = incoming("POST", { "transfer-encoding": "chunked" });
  const { res, headers } = response();
  const reading = failure(readRequestBody(req, res, limits));
  req.write("123456");
  req.write("78901");
  const error = await reading;
  expect(error).toMatchObject({ code: "BFF_BODY_TOO_LARGE", status: 413 });
  expect(headers.Connection).toBe("close");
  expect(req.isPaused()).toBe(true);
  expect(req.listenerCount("data")).toBe(0);
});

it("exactly maxBodySize bytes pass", async () => {
  const req = incoming("POST", { "content-length": "10" });
  const reading = readRequestBody(req, response().res, limits);
  req.end("1234567890");
  await expect(reading).resolves.toMatchObject({ bytes: Buffer.from("1234567890") });
});

describe("clientBodyTimeout", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("408 when the body is not whole in time, and the connection closes", async () => {
    const req = incoming("POST", { "content-length": "5" });
    const { res, headers } = response();
    const reading = failure(readRequestBody(req, res, limits));
    req.write("ab");
    jest.advanceTimersByTime(999);
    expect(headers.Connection).toBeUndefined();
    jest.advanceTimersByTime(1);
    const error = await reading;
    expect(error).toBeInstanceOf(RequestBodyError);
    expect(error).toMatchObject({ code: "BFF_BODY_TIMEOUT", status: 408 });
    expect(headers.Connection).toBe("close");
  });

  it("no timer is left once the body is read", async () => {
    const req = incoming("POST", { "content-length": "2" });
    const reading = readRequestBody(req, response().res, limits);
    req.end("ok");
    await reading;
    expect(jest.getTimerCount()).toBe(0);
  });
});

it("a stream error is a 400 BFF_BODY_UNREADABLE", async () => {
  const req = incoming("POST", { "content-length": "5" });
  const reading = failure(readRequestBody(req, response().res, limits));
  req.destroy(new Error("aborted"));
  expect(await reading).toMatchObject({ code: "BFF_BODY_UNREADABLE", status: 400 });
});

describe("a body a parser consumed before", () => {
  const parsed = (body: unknown, contentType = "application/json") =>
    incoming("POST", { "content-type": contentType }, { _body: true, body });

  it("is written out again as JSON, marked decoded", async () => {
    const reading = readRequestBody(parsed({ a: 1, b: "ü" }), response().res, {
      ...limits,
      maxBodySize: 100,
    });
    await expect(reading).resolves.toEqual({
      bytes: Buffer.from('{"a":1,"b":"ü"}'),
      decoded: true,
    });
  });

  it("a form as a form", async () => {
    const reading = readRequestBody(
      parsed({ q: "a b", n: "1" }, "application/x-www-form-urlencoded"),
      response().res,
      { ...limits, maxBodySize: 100 },
    );
    await expect(reading).resolves.toEqual({ bytes: Buffer.from("q=a+b&n=1"), decoded: true });
  });

  it("a Buffer or a string as it is", async () => {
    await expect(
      readRequestBody(parsed(Buffer.from("raw")), response().res, limits),
    ).resolves.toEqual({ bytes: Buffer.from("raw"), decoded: true });
    await expect(readRequestBody(parsed("text"), response().res, limits)).resolves.toEqual({
      bytes: Buffer.from("text"),
      decoded: true,
    });
  });

  it("nothing when it parsed to nothing; a stream that already ended counts as parsed", () => {
    expect(readRequestBody(parsed(undefined), response().res, limits)).toBeUndefined();
    const ended = incoming("POST", { "content-length": "3" }, { body: "" });
    Object.defineProperty(ended, "readableEnded", { value: true });
    expect(readRequestBody(ended, response().res, limits)).toBeUndefined();
  });

  it("413 when what it parsed is larger than maxBodySize in bytes, not characters", () => {
    // 7 characters, 14 bytes in UTF-8: more than the 10 bytes allowed.
    expect(() => readRequestBody(parsed("üüüüüüü", "text/plain"), response().res, limits)).toThrow(
      expect.objectContaining({ code: "BFF_BODY_TOO_LARGE" }),
    );
  });

  it("413 when what it parsed is larger than maxBodySize", () => {
    const { res, headers } = response();
    expect(() => readRequestBody(parsed({ long: "x".repeat(20) }), res, limits)).toThrow(
      expect.objectContaining({ code: "BFF_BODY_TOO_LARGE" }),
    );
    expect(headers.Connection).toBe("close");
  });
});
