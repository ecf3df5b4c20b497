/**
 * Nothing a listener or a logger does may break a request or the process, and server errors
 * are logged somewhere by default.
 */
import express from "express";
import request from "supertest";
import { createSessionRouter, errorHandler, hmacSecret, type Logger } from "../lib/index.js";
import { buildApp, signIn, signToken } from "./helpers.js";

/** An error like an HTTP client's: a circular property that JSON.stringify cannot serialise. */
function circularError(): Error {
  const error = new Error("socket hang up") as Error & { request?: unknown };
  const request = { error };
  error.request = request;
  return error;
}
const jsonLogger: Logger = {
  debug: (obj) => void JSON.stringify(obj),
  warn: (obj) => void JSON.stringify(obj),
  error: (obj) => void JSON.stringify(obj),
};

let rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on("unhandledRejection", onRejection);
});
afterEach(() => {
  process.off("unhandledRejection", onRejection);
  jest.restoreAllMocks();
});
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a throwing logger or listener", () => {
  beforeEach(() => jest.spyOn(process, "emitWarning").mockImplementation(() => {}));

  it("a logger that cannot serialise a circular error: the 500 is still answered", async () => {
    const t = buildApp({ logger: jsonLogger });
    const cookie = await signIn(t);
    jest.spyOn(t.store.inner, "get").mockRejectedValue(circularError());
    const res = await request(t.app).get("/store/customers/me").set("Cookie", cookie);
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("database_error");
    t.retrieve.mockRejectedValueOnce(circularError());
    const post = await request(t.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(t.clock)}`);
    expect(post.status).toBe(500);
    await settle();
    expect(rejections).toEqual([]);
    // Reported once, not per failure.
    expect(process.emitWarning).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      "throws",
      () => {
        throw circularError();
      },
    ],
    ["rejects", () => Promise.reject(circularError())],
  ])("an onEvent listener that %s: requests still succeed", async (_name, onEvent) => {
    const t = buildApp({ onEvent, logger: jsonLogger });
    const cookie = await signIn(t);
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      200,
    );
    expect((await request(t.app).delete("/auth/session").set("Cookie", cookie)).status).toBe(200);
    await settle();
    expect(rejections).toEqual([]);
  });

  it("errorHandler(): an onError hook that throws still answers", async () => {
    const app = express();
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.use(
      errorHandler({
        onError() {
          throw circularError();
        },
      }),
    );
    const res = await request(app).get("/boom");
    expect(res.status).toBe(500);
    expect(res.body.type).toBe("unknown_error");
  });
});

describe("server errors are logged by default", () => {
  let env: string | undefined;
  beforeEach(() => {
    env = process.env.NODE_ENV;
    process.env.NODE_ENV = "development";
  });
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it("the router: a session-store failure goes to stderr without a logger", async () => {
    const stderr = jest.spyOn(console, "error").mockImplementation(() => {});
    const t = buildApp({ logger: undefined });
    const cookie = await signIn(t);
    expect(stderr).not.toHaveBeenCalled(); // a sign-in is not an error
    jest.spyOn(t.store.inner, "get").mockRejectedValueOnce(new Error("redis down"));
    expect((await request(t.app).get("/store/customers/me").set("Cookie", cookie)).status).toBe(
      500,
    );
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]![0])).toMatch(/session store failed/);
  });

  it("the router: logger: false logs nothing", async () => {
    const stderr = jest.spyOn(console, "error").mockImplementation(() => {});
    const t = buildApp({ logger: false });
    const cookie = await signIn(t);
    jest.spyOn(t.store.inner, "get").mockRejectedValueOnce(new Error("redis down"));
    await request(t.app).get("/store/customers/me").set("Cookie", cookie);
    expect(stderr).not.toHaveBeenCalled();
  });

  it("errorHandler(): 5xx to stderr, 4xx not; onError: false silences", async () => {
    const stderr = jest.spyOn(console, "error").mockImplementation(() => {});
    const build = (options?: Parameters<typeof errorHandler>[0]) => {
      const app = express();
      app.use(express.json());
      app.get("/boom", () => {
        throw new Error("boom");
      });
      app.post("/json", (_req, res) => void res.json({}));
      app.use(errorHandler(options));
      return app;
    };
    const app = build();
    await request(app).post("/json").set("Content-Type", "application/json").send("{bad");
    expect(stderr).not.toHaveBeenCalled();
    expect((await request(app).get("/boom")).status).toBe(500);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0]![1]).toMatchObject({ err: { message: "boom" } });
    stderr.mockClear();
    expect((await request(build({ onError: false })).get("/boom")).status).toBe(500);
    expect(stderr).not.toHaveBeenCalled();
  });

  it("under NODE_ENV=test the default is silent, as Express's final handler", async () => {
    process.env.NODE_ENV = "test";
    const stderr = jest.spyOn(console, "error").mockImplementation(() => {});
    const router = createSessionRouter({
      keys: hmacSecret("x".repeat(32)),
      customers: { retrieve: async () => null },
    });
    const app = express().use(router).use(errorHandler());
    app.get("/boom", () => {
      throw new Error("boom");
    });
    await request(app).get("/boom");
    expect(stderr).not.toHaveBeenCalled();
  });
});
