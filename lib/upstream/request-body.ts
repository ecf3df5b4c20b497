import type { Request, Response } from "express";
import { RequestBodyError } from "../errors/errors.js";

/** A request body read whole. */
export interface RequestBody {
  bytes: Buffer;
  /**
   * A body parser ran before and decoded it (inflated it, read another charset): these bytes
   * are what it parsed, written out again plain.
   */
  decoded: boolean;
}

/** How much of a request body the BFF takes, and how long the client may take to send it. */
export interface BodyLimits {
  /** Bytes (`upstream.maxBodySize`): 413 beyond. */
  maxBodySize: number;
  /** Milliseconds for the whole body (`upstream.clientBodyTimeout`): 408 after. */
  clientBodyTimeout: number;
}

/**
 * The request body, read whole before a backend connection is taken (nginx's
 * `proxy_request_buffering`): a client that uploads slowly holds its own socket, never one of
 * the backend's. Bounded in size (413) and in time (408); either refusal closes the
 * connection, since the rest of the body is never read. When a body parser ran before
 * (express.json() and friends consume the stream), what it parsed is written out again.
 */
export function readRequestBody(
  req: Request,
  res: Response,
  limits: BodyLimits,
): Promise<RequestBody | undefined> | undefined {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  if (bodyParsed(req)) {
    const bytes = Buffer.from(parsedBody(req));
    if (bytes.length > limits.maxBodySize) throw tooLarge(res, limits);
    return bytes.length === 0 ? undefined : Promise.resolve({ bytes, decoded: true });
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limits.maxBodySize) throw tooLarge(res, limits);
  if (declared === 0 && req.headers["transfer-encoding"] === undefined) return undefined;
  return new Promise<RequestBody | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error?: RequestBodyError) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (error === undefined)
        return resolve(
          size === 0 ? undefined : { bytes: Buffer.concat(chunks, size), decoded: false },
        );
      req.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBodySize) return done(tooLarge(res, limits));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = () =>
      done(new RequestBodyError("BFF_BODY_UNREADABLE", "The request body could not be read."));
    const timer = setTimeout(() => {
      res.setHeader("Connection", "close");
      done(new RequestBodyError("BFF_BODY_TIMEOUT", "The request body was not sent in time."));
    }, limits.clientBodyTimeout);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
  });
}

function tooLarge(res: Response, limits: BodyLimits): RequestBodyError {
  res.setHeader("Connection", "close");
  return new RequestBodyError(
    "BFF_BODY_TOO_LARGE",
    `The request body is larger than ${limits.maxBodySize} bytes.`,
  );
}

/** Whether a body parser (express.json() and friends) consumed the request stream. */
function bodyParsed(req: Request): boolean {
  return (req as { _body?: boolean })._body === true || req.readableEnded;
}

/** What a body parser parsed, written out again in the request's content type. */
function parsedBody(req: Request): string | Buffer {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) || typeof body === "string") return body;
  if (body === undefined || body === null) return "";
  if (/^application\/x-www-form-urlencoded/i.test(String(req.headers["content-type"])))
    return new URLSearchParams(body as Record<string, string>).toString();
  return JSON.stringify(body);
}
