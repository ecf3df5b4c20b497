import {
  isStoreApiError,
  StoreApiError,
  type StoreApiErrorType,
} from "../../lib/errors/store-api-error.js";

it("keeps type, code, message and cause", () => {
  const cause = new Error("db");
  const error = new StoreApiError("not_allowed", "Locked.", { code: "cart_locked", cause });
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({
    name: "StoreApiError",
    type: "not_allowed",
    code: "cart_locked",
    message: "Locked.",
  });
  expect(error.cause).toBe(cause);
  expect(new StoreApiError("not_found", "x")).not.toHaveProperty("cause");
  expect(new StoreApiError("not_found", "x").code).toBeUndefined();
});

it("refuses an unknown type with a TypeError", () => {
  expect(() => new StoreApiError("teapot" as StoreApiErrorType, "x")).toThrow(TypeError);
});

describe("isStoreApiError()", () => {
  it("true for a StoreApiError, and for one from another copy of the package", () => {
    expect(isStoreApiError(new StoreApiError("conflict", "x"))).toBe(true);
    const foreign = Object.assign(new Error("x"), { name: "StoreApiError", type: "not_found" });
    expect(isStoreApiError(foreign)).toBe(true);
  });

  it("false for look-alikes without a known type, and for non-errors", () => {
    const badType = Object.assign(new Error("x"), { name: "StoreApiError", type: "teapot" });
    expect(isStoreApiError(badType)).toBe(false);
    expect(isStoreApiError({ name: "StoreApiError", type: "not_found", message: "x" })).toBe(false);
    expect(isStoreApiError(new Error("x"))).toBe(false);
    expect(isStoreApiError(null)).toBe(false);
  });
});
