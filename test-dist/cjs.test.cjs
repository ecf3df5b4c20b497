const { test } = require("node:test");
const express = require("express");
const bff = require("bff-session");

test("the CommonJS build requires by package name and serves a login", async () => {
  const { runSmoke } = await import("./smoke.mjs");
  await runSmoke(bff, express);
});
