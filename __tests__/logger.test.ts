import { resolveLogger, silentLogger, stderrLogger } from "../lib/logger.js";

let env: string | undefined;
beforeEach(() => (env = process.env.NODE_ENV));
afterEach(() => {
  process.env.NODE_ENV = env;
  jest.restoreAllMocks();
});

it("false silences; no logger is stderr, but silent under NODE_ENV=test", () => {
  expect(resolveLogger(false)).toBe(silentLogger);
  process.env.NODE_ENV = "test";
  expect(resolveLogger(undefined)).toBe(silentLogger);
  process.env.NODE_ENV = "production";
  expect(resolveLogger(undefined)).toBe(stderrLogger);
});

it("stderrLogger writes warnings and errors through console.error, debug nowhere", () => {
  const error = jest.spyOn(console, "error").mockImplementation(() => {});
  stderrLogger.debug({ a: 1 }, "quiet");
  stderrLogger.warn({ a: 1 }, "careful");
  stderrLogger.error({ b: 2 });
  expect(error.mock.calls).toEqual([
    ["careful", { a: 1 }],
    ["bff-session: error", { b: 2 }],
  ]);
});

it("a given logger is called with the same arguments", () => {
  const given = { debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const logger = resolveLogger(given);
  logger.debug({ d: 1 }, "d");
  logger.warn({ w: 1 }, "w");
  logger.error({ e: 1 });
  expect(given.debug).toHaveBeenCalledWith({ d: 1 }, "d");
  expect(given.warn).toHaveBeenCalledWith({ w: 1 }, "w");
  expect(given.error).toHaveBeenCalledWith({ e: 1 }, undefined);
});

it("a logger that throws never reaches the caller, and is reported once as a warning", () => {
  const warning = jest.spyOn(process, "emitWarning").mockImplementation(() => {});
  const throwing = () => {
    throw new Error("circular");
  };
  const logger = resolveLogger({ debug: throwing, warn: throwing, error: throwing });
  expect(() => logger.error({}, "x")).not.toThrow();
  expect(() => logger.warn({}, "x")).not.toThrow();
  expect(warning).toHaveBeenCalledTimes(1);
  expect(warning.mock.calls[0]![1]).toEqual({ code: "BFF_SESSION_LOGGER_THREW" });
  expect(String(warning.mock.calls[0]![0])).toContain("Error: circular");
});
