import express from "express";
import request from "supertest";
import { errorHandler, StoreApiError, type StoreApiErrorType } from "../../lib/index.js";

function appThrowing(error: unknown, onError?: (e: unknown) => void) {
  const app = express();
  app.use(express.json());
  app.get("/boom", () => {
    throw error;
  });
  app.post("/json", (_req, res) => {
    res.json({ ok: true });
  });
  app.use(errorHandler({ onError }));
  return app;
}

describe("errorHandler()", () => {
  it.each<[StoreApiErrorType, number, object]>([
    ["not_allowed", 400, { message: "m", type: "not_allowed" }],
    ["invalid_data", 400, { message: "m", type: "invalid_data" }],
    ["forbidden", 403, { message: "m", type: "forbidden" }],
    ["not_found", 404, { message: "m", type: "not_found" }],
    [
      "duplicate_error",
      422,
      { code: "invalid_request_error", message: "m", type: "duplicate_error" },
    ],
    ["database_error", 500, { code: "api_error", message: "m", type: "database_error" }],
    ["unexpected_state", 500, { message: "m", type: "unexpected_state" }],
  ])("renders StoreApiError %s as %d", async (type, status, body) => {
    const res = await request(appThrowing(new StoreApiError(type, "m"))).get("/boom");
    expect(res.status).toBe(status);
    expect(res.body).toEqual(body);
  });

  it("renders unauthorized as a bare text/plain 401", async () => {
    const res = await request(appThrowing(new StoreApiError("unauthorized", "secret reason"))).get(
      "/boom",
    );
    expect(res.status).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.text).toBe("Unauthorized");
  });

  it("keeps a StoreApiError's own code where the shape has room for it", async () => {
    const res = await request(
      appThrowing(new StoreApiError("not_allowed", "m", { code: "cart_locked" })),
    ).get("/boom");
    expect(res.body).toEqual({ code: "cart_locked", message: "m", type: "not_allowed" });
  });

  it("renders a conflict with the fixed retry message", async () => {
    const res = await request(
      appThrowing(new StoreApiError("conflict", "row version mismatch")),
    ).get("/boom");
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/^The request conflicted with another request/);
    expect(res.text).not.toContain("row version");
  });

  it.each([new Error("password=hunter2"), "a string", { message: "object" }, new TypeError("x")])(
    "renders %p as the generic 500, leaking nothing",
    async (error) => {
      const seen: unknown[] = [];
      const res = await request(appThrowing(error, (e) => seen.push(e))).get("/boom");
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        code: "unknown_error",
        message: "An unknown error occurred.",
        type: "unknown_error",
      });
      expect(res.text).not.toContain("hunter2");
      expect(res.text).not.toContain("stack");
      expect(seen).toEqual([error]);
    },
  );

  it("keeps a body parser's 400 without its message", async () => {
    const res = await request(appThrowing(new Error("unused")))
      .post("/json")
      .set("Content-Type", "application/json")
      .send('{"broken":');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: "The request could not be processed.",
      type: "invalid_data",
    });
  });

  it("refuses an unknown StoreApiError type at construction", () => {
    expect(() => new StoreApiError("teapot" as StoreApiErrorType, "m")).toThrow(TypeError);
  });

  it("keeps the cause for logs", () => {
    const cause = new Error("db down");
    expect(new StoreApiError("database_error", "m", { cause }).cause).toBe(cause);
  });
});
