import express from "express";

// Guards the EXPRESS_MAJOR switch itself: the suite must really run on the major it claims.
it(`runs on Express ${process.env.EXPRESS_MAJOR ?? "5"}`, () => {
  const app = express() as unknown as { router?: unknown };
  // Express 5 exposes app.router; Express 4 throws on it ("'app.router' is deprecated!").
  let major = "5";
  try {
    void app.router;
  } catch {
    major = "4";
  }
  expect(major).toBe(process.env.EXPRESS_MAJOR ?? "5");
});
