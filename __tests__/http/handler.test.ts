import express from "express";
import request from "supertest";
import { TokenRejectedError } from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import { handler } from "../../lib/http/handler.js";

function deps() {
  const events: SessionEvent[] = [];
  const logger = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  return {
    events,
    failure: {
      report: (e: SessionEvent) => void events.push(e),
      logger,
      clearCookie: "c=; Max-Age=0",
    },
  };
}

it("returns a function carrying the given name", () => {
  const h = handler(deps().failure, "bffSessionGet", {}, async () => {});
  expect(h.name).toBe("bffSessionGet");
});

it("sets Cache-Control: no-store by default, and not with noStore: false", async () => {
  const app = express();
  const { failure } = deps();
  app.get(
    "/a",
    handler(failure, "a", {}, async (_req, res) => void res.end("a")),
  );
  app.get(
    "/b",
    handler(failure, "b", { noStore: false }, async (_req, res) => void res.end("b")),
  );
  expect((await request(app).get("/a")).headers["cache-control"]).toBe("no-store");
  expect((await request(app).get("/b")).headers["cache-control"]).toBeUndefined();
});

it("answers a rejection through fail(), with the route's challenge", async () => {
  const app = express();
  const t = deps();
  app.post(
    "/",
    handler(t.failure, "h", { challenge: true }, async () => {
      throw new TokenRejectedError("expired");
    }),
  );
  const res = await request(app).post("/");
  expect(res.status).toBe(401);
  expect(res.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
  expect(res.headers["cache-control"]).toBe("no-store");
  expect(t.events).toEqual([{ type: "token.rejected", reason: "expired" }]);
});

it("passes next to the handle, which may call it", async () => {
  const app = express();
  app.get(
    "/",
    handler(deps().failure, "h", {}, async (_req, _res, next) => next()),
  );
  app.get("/", (_req, res) => void res.end("next"));
  expect((await request(app).get("/")).text).toBe("next");
});
