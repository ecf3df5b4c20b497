// bff-session/medusa as Medusa loads it: CommonJS and ESM by package name, and light (no
// express, nothing of the BFF's request path comes along).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { customerDeletedSubscriber, customerDeletedConfig, notifyBff } from "bff-session/medusa";

test("the ESM build imports bff-session/medusa by package name", () => {
  assert.equal(typeof customerDeletedSubscriber, "function");
  assert.equal(typeof notifyBff, "function");
  assert.deepEqual({ ...customerDeletedConfig }, { event: "customer.deleted" });
});

test("the CommonJS build requires bff-session/medusa without express", () => {
  const require = createRequire(import.meta.url);
  assert.equal(typeof require("bff-session/medusa").customerDeletedSubscriber, "function");
  const loaded = execFileSync(
    process.execPath,
    [
      "-e",
      `require("bff-session/medusa");
       console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules/.test(f))));`,
    ],
    { encoding: "utf8" },
  );
  assert.deepEqual(JSON.parse(loaded), []);
});
