import type { Server } from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import express from "express";
import {
  createSessionRouter,
  errorHandler,
  hmacSecret,
  MemorySessionStore,
} from "../../lib/index.js";
import { SECRET } from "../helpers.js";
import { stubBackend } from "./stub-backend.js";

// Issue #22, item 1: slow uploaders and clients that never read must not take the backend's
// connections from everybody else. Twice as many of each as the pool has connections attack
// at once; another browser's product list and sign-in still answer within timeout + 1 s.
// Twice: with the 8 MiB answers read whole (bufferSize 16 MiB), and with the defaults, where
// what a non-reader does not take of them waits in a temporary file.
const CONNECTIONS = 4;
const TIMEOUT_S = 5;

const backend = stubBackend();
let bff: Server | undefined;
let port: number;
const sockets: net.Socket[] = [];

beforeAll(() => backend.start());

async function startBff(answers: { bufferSize?: number }): Promise<void> {
  const router = createSessionRouter({
    keys: hmacSecret(SECRET),
    sessions: new MemorySessionStore({ sweepInterval: 0 }),
    upstream: {
      baseUrl: backend.url,
      publishableKey: "pk_bff",
      timeout: TIMEOUT_S,
      connections: CONNECTIONS,
      sendTimeout: 30,
      clientBodyTimeout: 30,
      ...answers,
    },
    logger: false,
  });
  const app = express();
  app.use(router);
  app.use(router.storeApi());
  app.use(errorHandler());
  bff = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => bff!.once("listening", resolve));
  port = (bff.address() as AddressInfo).port;
}

async function stopBff(): Promise<void> {
  for (const socket of sockets.splice(0)) socket.destroy();
  bff?.closeAllConnections();
  await new Promise((resolve) => bff?.close(resolve));
  backend.seen.length = 0;
}

afterAll(() => backend.stop());

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => resolve(socket));
    socket.once("error", reject);
    sockets.push(socket);
  });
}

/** A client announcing a 100 kB cart body, then sending one byte every 200 ms. */
async function slowUploader(): Promise<void> {
  const socket = await connect();
  socket.on("error", () => {});
  socket.write(
    "POST /store/carts HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
  );
  const timer = setInterval(() => socket.write(" "), 200);
  socket.once("close", () => clearInterval(timer));
}

/** A client asking for an 8 MiB answer and never reading a byte of it. */
async function nonReader(): Promise<void> {
  const socket = await connect();
  socket.on("error", () => {});
  socket.setNoDelay(true);
  socket.write("GET /store/huge?mb=8 HTTP/1.1\r\nHost: shop\r\n\r\n");
  socket.pause();
}

describe.each([
  ["read whole (bufferSize 16 MiB)", { bufferSize: 16 * 1024 * 1024 }],
  ["spilled to a temporary file (the defaults)", {}],
])("with the 8 MiB answers %s", (_name, answers) => {
  beforeAll(() => startBff(answers));
  afterAll(stopBff);

  it("slow uploaders and clients that never read do not starve another browser", async () => {
    for (let i = 0; i < 2 * CONNECTIONS; i++) {
      await slowUploader();
      await nonReader();
    }
    // Let every attacker reach the BFF and, before the fix, take a backend connection: each
    // non-reader's request has reached the backend (at most 4 at a time before the fix).
    for (
      let i = 0;
      i < 40 && backend.seen.filter((s) => s.url.startsWith("/store/huge")).length < CONNECTIONS;
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const [products, signIn] = await Promise.all([
      fetch(`${base}/store/products`),
      fetch(`${base}/auth/customer/emailpass`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "jane@example.com", password: "right-password" }),
      }),
    ]);
    const took = Date.now() - started;
    expect(products.status).toBe(200);
    expect(signIn.status).toBe(200);
    expect(took).toBeLessThan((TIMEOUT_S + 1) * 1000);
    // None of the slow uploads reached the backend: their bodies are still being read here.
    expect(backend.seen.filter((s) => s.url === "/store/carts")).toHaveLength(0);
  }, 20_000);
});
