import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Response } from "express";
import { UpstreamError } from "../../lib/errors/errors.js";
import { resolveUpstream } from "../../lib/options/resolve-upstream.js";
import type { UpstreamOptions } from "../../lib/options/upstream-types.js";
import { UpstreamClient } from "../../lib/upstream/client.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A backend on 127.0.0.1 whose answer each test sets; held requests are kept to end later. */
let backend: Server;
let origin: string;
let handle: Handler;
const held: ServerResponse[] = [];
let aborted = 0;

beforeAll(async () => {
  backend = createServer((req, res) => {
    req.on("close", () => {
      if (!res.writableEnded) aborted++;
    });
    handle(req, res);
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(async () => {
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});

let clients: UpstreamClient[] = [];
beforeEach(() => {
  aborted = 0;
  handle = (_req, res) => res.end("ok");
});
afterEach(async () => {
  for (const res of held.splice(0)) res.destroy();
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  clients = [];
});

/** A client on the backend; durations in seconds, as the options take them. */
function client(options: Partial<UpstreamOptions> = {}): UpstreamClient {
  const resolved = resolveUpstream({
    baseUrl: `${origin}/base`,
    publishableKey: "pk_test",
    ...options,
  })!;
  const made = new UpstreamClient(resolved);
  clients.push(made);
  return made;
}

/**
 * The free slots of a client: a test that every path gives its slot back exactly once (one
 * too few and requests queue forever; one too many and the bound on connections is gone).
 */
const freeSlots = (c: UpstreamClient) => (c as unknown as { slots: { free: number } }).slots.free;

const hold: Handler = (_req, res) => void held.push(res);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

it("read(): sends to the base path and reads the whole answer", async () => {
  let seen: { method?: string; url?: string; header?: string; body?: string } = {};
  handle = (req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      seen = { method: req.method, url: req.url, header: req.headers["x-test"] as string, body };
      res.writeHead(201, { "content-type": "application/json" }).end('{"ok":true}');
    });
  };
  const c = client();
  const answer = await c.read({
    method: "POST",
    path: "/store/carts?x=1",
    headers: { "x-test": "yes" },
    body: Buffer.from("hello"),
  });
  expect(seen).toEqual({
    method: "POST",
    url: "/base/store/carts?x=1",
    header: "yes",
    body: "hello",
  });
  expect(answer.status).toBe(201);
  expect(answer.headers["content-type"]).toBe("application/json");
  expect(answer.body.toString()).toBe('{"ok":true}');
  expect(freeSlots(c)).toBe(128);
});

it("read(): an answer larger than bufferSize fails with BFF_UPSTREAM_BAD_ANSWER; the slot comes back", async () => {
  handle = (_req, res) => res.end(Buffer.alloc(2048));
  const c = client({ bufferSize: 1024, connections: 2 });
  const error = await failure(c.read({ method: "GET", path: "/big", headers: {} }));
  expect(error).toBeInstanceOf(UpstreamError);
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_BAD_ANSWER" });
  expect(freeSlots(c)).toBe(2);
});

it("forward(): a small answer is read whole and its slot freed before it is sent on", async () => {
  handle = (_req, res) => res.end("small");
  const c = client({ connections: 2 });
  const answer = await c.forward({ method: "GET", path: "/small", headers: {} });
  expect(answer.complete).toBe(true);
  expect(answer.body().toString()).toBe("small");
  expect(freeSlots(c)).toBe(2);
});

it("forward(): past bufferSize it resolves early, holds its slot, and pipe() sends the rest", async () => {
  const total = 64 * 1024;
  handle = (_req, res) => {
    res.write(Buffer.alloc(total / 2, "a"));
    setImmediate(() => res.end(Buffer.alloc(total / 2, "b")));
  };
  const c = client({ bufferSize: 1024, connections: 2 });
  const answer = await c.forward({ method: "GET", path: "/big", headers: {} });
  expect(answer.complete).toBe(false);
  expect(answer.body().length).toBeGreaterThan(1024);
  expect(freeSlots(c)).toBe(1);

  // The browser's side: a real response on a socket of its own.
  const front = createServer((_req, res) => {
    res.writeHead(200);
    void answer.pipe(res as unknown as Response, 1000);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(front.address() as AddressInfo).port}/`);
    const got = Buffer.from(await res.arrayBuffer());
    expect(got.length).toBe(total);
    expect(got.subarray(total - 1).toString()).toBe("b");
    expect(freeSlots(c)).toBe(2);
  } finally {
    await new Promise((resolve) => front.close(resolve));
  }
});

it("forward(): cancel() drops a larger answer and frees its slot", async () => {
  handle = (_req, res) => {
    res.write(Buffer.alloc(4096));
    held.push(res);
  };
  const c = client({ bufferSize: 1024, connections: 2 });
  const answer = await c.forward({ method: "GET", path: "/big", headers: {} });
  expect(freeSlots(c)).toBe(1);
  answer.cancel();
  await new Promise((resolve) => setImmediate(resolve));
  expect(freeSlots(c)).toBe(2);
});

it("a backend that does not answer within timeout: BFF_UPSTREAM_TIMEOUT (504), slot back", async () => {
  handle = hold;
  const c = client({ timeout: 0.02, connections: 2 });
  const error = await failure(c.read({ method: "GET", path: "/slow", headers: {} }));
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_TIMEOUT", status: 504 });
  expect(freeSlots(c)).toBe(2);
});

it("a backend that refuses connections: BFF_UPSTREAM_UNREACHABLE (502), slot back", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const resolved = resolveUpstream({
    baseUrl: `http://127.0.0.1:${port}`,
    publishableKey: "pk",
    connections: 2,
  })!;
  const c = new UpstreamClient(resolved);
  clients.push(c);
  const error = await failure(c.forward({ method: "GET", path: "/x", headers: {} }));
  expect(error).toBeInstanceOf(UpstreamError);
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE", status: 502 });
  expect((error as Error).cause).toBeDefined();
  expect(freeSlots(c)).toBe(2);
});

it("no free connection within queueTimeout: BFF_UPSTREAM_BUSY (503); the holder still finishes", async () => {
  handle = hold;
  const c = client({ connections: 1, queueTimeout: 0.02 });
  const first = c.read({ method: "GET", path: "/held", headers: {} });
  await new Promise<void>((resolve) => {
    const wait = () => (held.length > 0 ? resolve() : setImmediate(wait));
    wait();
  });
  const error = await failure(c.read({ method: "GET", path: "/queued", headers: {} }));
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_BUSY", status: 503 });
  held.shift()!.end("done");
  expect((await first).body.toString()).toBe("done");
  expect(freeSlots(c)).toBe(1);
});

it("a browser already gone when a slot frees up: nothing is sent, the slot goes back", async () => {
  const seen: string[] = [];
  handle = (req, res) => {
    seen.push(req.url!);
    res.end();
  };
  const c = client({ connections: 2 });
  const gone = Object.assign(new EventEmitter(), { destroyed: true }) as unknown as Response;
  const error = await failure(c.forward({ method: "GET", path: "/x", headers: {}, client: gone }));
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
  expect(seen).toEqual([]);
  expect(freeSlots(c)).toBe(2);
});

it("a browser closing mid-exchange aborts it at the backend; the slot goes back", async () => {
  handle = hold;
  const c = client({ connections: 2 });
  const browser = Object.assign(new EventEmitter(), { destroyed: false });
  const pending = failure(
    c.forward({ method: "GET", path: "/x", headers: {}, client: browser as unknown as Response }),
  );
  await new Promise<void>((resolve) => {
    const wait = () => (held.length > 0 ? resolve() : setImmediate(wait));
    wait();
  });
  browser.emit("close");
  expect(await pending).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
  await new Promise<void>((resolve) => {
    const wait = () => (aborted > 0 ? resolve() : setImmediate(wait));
    wait();
  });
  expect(aborted).toBe(1);
  expect(freeSlots(c)).toBe(2);
});

it("close(): an exchange in flight finishes; a later one fails as unreachable", async () => {
  handle = hold;
  const c = client();
  const inFlight = c.read({ method: "GET", path: "/x", headers: {} });
  await new Promise<void>((resolve) => {
    const wait = () => (held.length > 0 ? resolve() : setImmediate(wait));
    wait();
  });
  const closed = c.close();
  setImmediate(() => held.shift()!.end("finished"));
  expect((await inFlight).body.toString()).toBe("finished");
  await closed;
  const error = await failure(c.read({ method: "GET", path: "/y", headers: {} }));
  expect(error).toMatchObject({ code: "BFF_UPSTREAM_UNREACHABLE" });
});
