import express from "express";
import request from "supertest";
import {
  CrossSiteRequestError,
  NoSessionError,
  SessionStoreError,
  TokenRejectedError,
  UpstreamError,
} from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import {
  appendSetCookie,
  fail,
  sendError,
  sendJson,
  type FailureContext,
} from "../../lib/http/respond.js";

const CLEAR = "bff.sid=; Max-Age=0; Path=/";

/** An app whose one route fails with `error`, answered by fail(). */
function failing(
  error: unknown,
  how: FailureContext = {},
  before?: (res: express.Response) => void,
) {
  const events: SessionEvent[] = [];
  const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const app = express();
  app.all("/", (_req, res) => {
    before?.(res);
    fail({ report: (e) => void events.push(e), logger, clearCookie: CLEAR }, res, error, how);
  });
  return { app, events, logger };
}

describe("fail()", () => {
  it("a refused token: bare 401, the reason reported, no log line", async () => {
    const t = failing(new TokenRejectedError("expired"));
    const res = await request(t.app).get("/");
    expect(res.status).toBe(401);
    expect(res.text).toBe("Unauthorized");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.headers["www-authenticate"]).toBeUndefined();
    expect(t.events).toEqual([{ type: "token.rejected", reason: "expired" }]);
    expect(t.logger.error).not.toHaveBeenCalled();
  });

  it("with challenge: invalid_token for a refused token, the bare scheme for a missing one", async () => {
    const refused = await request(
      failing(new TokenRejectedError("signature"), { challenge: true }).app,
    ).get("/");
    expect(refused.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
    const missing = await request(
      failing(new TokenRejectedError("missing"), { challenge: true }).app,
    ).get("/");
    expect(missing.headers["www-authenticate"]).toBe("Bearer");
  });

  it("NoSessionError with clearCookie clears the cookie, keeping cookies set before", async () => {
    const t = failing(new NoSessionError("gone", { clearCookie: true }), {}, (res) =>
      res.setHeader("Set-Cookie", "other=1"),
    );
    const res = await request(t.app).get("/");
    expect(res.status).toBe(401);
    expect(res.headers["set-cookie"]).toEqual(["other=1", CLEAR]);
    const kept = await request(failing(new NoSessionError("gone")).app).get("/");
    expect(kept.headers["set-cookie"]).toBeUndefined();
  });

  it("a cross-site request: 403 and csrf.rejected with the method", async () => {
    const t = failing(new CrossSiteRequestError("why"));
    const res = await request(t.app).post("/");
    expect(res.status).toBe(403);
    expect(t.events).toEqual([{ type: "csrf.rejected", method: "POST", detail: "why" }]);
  });

  it("a backend failure: its status, upstream.error for the operation, logged once", async () => {
    const error = new UpstreamError("BFF_UPSTREAM_TIMEOUT", "slow");
    const t = failing(error, { operation: "sign-in" });
    const res = await request(t.app).get("/");
    expect(res.status).toBe(504);
    expect(t.events).toEqual([
      { type: "upstream.error", operation: "sign-in", status: 504, error },
    ]);
    expect(t.logger.error).toHaveBeenCalledTimes(1);
  });

  it("a server error is logged with its cause; a store failure is not logged again", async () => {
    const plain = failing(new Error("bug"));
    expect((await request(plain.app).get("/")).status).toBe(500);
    expect(plain.logger.error).toHaveBeenCalledWith(
      { err: new Error("bug") },
      "bff-session: request failed",
    );
    const store = failing(new SessionStoreError("get"));
    expect((await request(store.app).get("/")).status).toBe(500);
    expect(store.logger.error).not.toHaveBeenCalled();
  });

  it("after the head was sent: the answer is cut off, no second head", async () => {
    const t = failing(new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "x"), {}, (res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
    });
    await expect(request(t.app).get("/")).rejects.toThrow();
    expect(t.events).toHaveLength(1);
  });

  it("a browser that went away gets nothing, and nothing is reported", async () => {
    const events: SessionEvent[] = [];
    const res = { destroyed: true, headersSent: false } as unknown as express.Response;
    const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
    fail({ report: (e) => void events.push(e), logger, clearCookie: CLEAR }, res, new Error("x"));
    expect(events).toEqual([]);
    expect(logger.error).not.toHaveBeenCalled();
  });
});

describe("sendError(), sendJson(), appendSetCookie()", () => {
  it("sendError writes its headers and a JSON body", async () => {
    const app = express();
    app.get("/", (_req, res) =>
      sendError(res, {
        status: 429,
        body: { message: "m", type: "t" },
        headers: { "Retry-After": "3" },
      }),
    );
    const res = await request(app).get("/");
    expect(res.status).toBe(429);
    expect(res.headers["retry-after"]).toBe("3");
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toEqual({ message: "m", type: "t" });
  });

  it("sendJson sends no ETag, and no body for HEAD", async () => {
    const app = express();
    app.all("/", (_req, res) => sendJson(res, 200, { a: 1 }));
    const get = await request(app).get("/");
    expect(get.body).toEqual({ a: 1 });
    expect(get.headers.etag).toBeUndefined();
    const head = await request(app).head("/");
    expect(head.status).toBe(200);
    expect(head.text).toBeUndefined();
  });

  it("appendSetCookie adds to none, one or several lines", () => {
    const headers: Record<string, unknown> = {};
    const res = {
      getHeader: (n: string) => headers[n],
      setHeader: (n: string, v: unknown) => (headers[n] = v),
    } as unknown as express.Response;
    appendSetCookie(res, "a=1");
    expect(headers["Set-Cookie"]).toBe("a=1");
    appendSetCookie(res, "b=2");
    expect(headers["Set-Cookie"]).toEqual(["a=1", "b=2"]);
    appendSetCookie(res, "c=3");
    expect(headers["Set-Cookie"]).toEqual(["a=1", "b=2", "c=3"]);
  });
});
