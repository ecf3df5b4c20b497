import request from "supertest";
import express from "express";
import { createSessionRouter, sessionOptionsFromEnv } from "../../lib/index.js";
import { createClock, SECRET, signToken } from "../helpers.js";

describe("sessionOptionsFromEnv()", () => {
  it("builds working router options from JWT_SECRET, cookie and session variables", async () => {
    const previous = "the-previous-jwt-secret-32-bytes-long!!";
    const { redisUrl, ...options } = sessionOptionsFromEnv({
      JWT_SECRET: SECRET,
      JWT_SECRET_PREVIOUS: previous,
      COOKIE_SECRET: "c".repeat(32),
      SESSION_IDLE: "30m",
      SESSION_ABSOLUTE: "3600",
      REDIS_URL: "redis://127.0.0.1:6379/2",
      UNRELATED: "ignored",
    });
    expect(redisUrl).toBe("redis://127.0.0.1:6379/2");
    expect(options.cookie).toEqual({ secret: "c".repeat(32) });
    expect(options.session).toEqual({ idleTimeout: "30m", absoluteTimeout: 3600 });
    const clock = createClock(Date.now());
    const router = createSessionRouter({
      ...options,
      customers: { retrieve: async (id) => ({ id, email: "a@b.c" }) },
    });
    const app = express().use(router);
    for (const secret of [SECRET, previous]) {
      const res = await request(app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(clock, {}, { secret })}`);
      expect(res.status).toBe(200);
      expect(String(res.headers["set-cookie"])).toMatch(/Max-Age=3600/);
    }
  });

  it("uses remoteJwks for JWKS_URL", () => {
    const { keys } = sessionOptionsFromEnv({
      JWKS_URL: "https://auth.example.com/.well-known/jwks.json",
    });
    expect(keys.algorithms).toContain("ES256");
    expect(keys.algorithms).not.toContain("HS256");
  });

  it("reports every problem at once", () => {
    let message = "";
    try {
      sessionOptionsFromEnv({
        JWT_SECRET: "short",
        JWKS_URL: "ftp://x",
        COOKIE_SECRET: "short",
        REDIS_URL: "http://localhost",
        SESSION_IDLE: "2 hours",
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "bff-session: invalid environment:",
      "  - JWT_SECRET must be at least 32 bytes",
      "  - JWKS_URL must be a https: or http: URL",
      "  - COOKIE_SECRET must be at least 32 bytes",
      "  - REDIS_URL must be a redis: or rediss: URL",
      '  - SESSION_IDLE must be seconds or a duration such as "30m", "2h"',
      "  - set JWT_SECRET or JWKS_URL, not both",
    ]);
  });

  it("needs a key source, and treats empty variables as unset", () => {
    expect(() =>
      sessionOptionsFromEnv({ JWT_SECRET: "", COOKIE_SECRET_PREVIOUS: "p".repeat(32) }),
    ).toThrow(
      /set JWT_SECRET \(shared secret\) or JWKS_URL[\s\S]*COOKIE_SECRET_PREVIOUS needs COOKIE_SECRET/,
    );
  });
});

it("spreads straight into createSessionRouter, and still hands out redisUrl by name", () => {
  const fromEnv = sessionOptionsFromEnv({
    JWT_SECRET: "s".repeat(32),
    REDIS_URL: "redis://127.0.0.1:6379",
  });
  expect(() =>
    createSessionRouter({ ...fromEnv, customers: { retrieve: async () => null } }),
  ).not.toThrow();
  const { redisUrl, ...options } = fromEnv;
  expect(redisUrl).toBe("redis://127.0.0.1:6379");
  expect(Object.keys(options)).toEqual(["keys"]);
});
