// Packs bff-session as it would be published, installs the tarball into two fresh projects —
// CommonJS on Express 4 and ESM on Express 5 — and in each mounts the router and runs a real
// login → authenticated request → logout on 127.0.0.1. Catches a files list, exports map or
// module format that works in this repository but not for a user. It packs from a clean clone
// of the committed tree with no dist/: the tarball's dist comes from `prepack` alone.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(new URL("..", import.meta.url).pathname);
const work = mkdtempSync(path.join(os.tmpdir(), "bff-pack-"));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

const clone = path.join(work, "clone");
run("git", ["clone", "--quiet", "--depth", "1", `file://${root}`, clone], work);
if (existsSync(path.join(clone, "dist"))) throw new Error("a clean clone has no dist/");
// The clone builds with the repository's own toolchain (prepack runs tsc).
symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"), "dir");
const tarball = path.join(
  work,
  run("npm", ["pack", "--silent", "--pack-destination", work], clone).trim().split("\n").at(-1),
);
const listed = run("tar", ["-tzf", tarball], work);
for (const file of [
  "package/dist/cjs/index.js",
  "package/dist/esm/index.js",
  "package/dist/cjs/index.d.ts",
]) {
  if (!listed.includes(file)) throw new Error(`the packed tarball lacks ${file}`);
}

const body = (imports) => `${imports}
const SECRET = "pack-smoke-secret-at-least-32-bytes!!";
const sessions = createSessionRouter({
  keys: hmacSecret(SECRET),
  customers: { retrieve: async (id) => (id === "cus_1" ? { id, email: "a@example.com", password_hash: "x" } : null) },
});
const app = express();
app.use(sessions);
app.get("/me", sessions.authenticate(), (req, res) => res.json({ id: req.auth.customerId }));
app.use(errorHandler());
const server = app.listen(0, "127.0.0.1", async () => {
  try {
    const base = "http://127.0.0.1:" + server.address().port;
    const token = await new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
      .setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    const login = await fetch(base + "/auth/session", { method: "POST", headers: { authorization: "Bearer " + token } });
    const user = (await login.json()).user;
    if (login.status !== 200 || user.id !== "cus_1" || "password_hash" in user) throw new Error("login failed: " + login.status);
    const cookie = login.headers.get("set-cookie").split(";")[0];
    const me = await fetch(base + "/me", { headers: { cookie } });
    if ((await me.json()).id !== "cus_1") throw new Error("authenticate failed");
    await fetch(base + "/auth/session", { method: "DELETE", headers: { cookie } });
    if ((await fetch(base + "/me", { headers: { cookie } })).status !== 401) throw new Error("logout failed");
    if (typeof sessionStoreConformance !== "function") throw new Error("bff-session/testing missing");
    // A project without the optional @opentelemetry/api: the package loaded and worked above,
    // and its OpenTelemetry side finds nothing to load.
    if ((await enableOpenTelemetry()) !== false) throw new Error("@opentelemetry/api was found");
    console.log("ok: " + process.argv[2]);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    server.close();
  }
});
`;

const projects = [
  {
    name: "cjs-express4",
    type: "commonjs",
    express: "^4.21.0",
    file: "index.js",
    source: body(`const express = require("express");
const { SignJWT } = require("jose");
const { createSessionRouter, enableOpenTelemetry, errorHandler, hmacSecret } = require("bff-session");
const { sessionStoreConformance } = require("bff-session/testing");`),
  },
  {
    name: "esm-express5",
    type: "module",
    express: "^5.0.0",
    file: "index.js",
    source: body(`import express from "express";
import { SignJWT } from "jose";
import { createSessionRouter, enableOpenTelemetry, errorHandler, hmacSecret } from "bff-session";
import { sessionStoreConformance } from "bff-session/testing";`),
  },
];

try {
  for (const project of projects) {
    const dir = path.join(work, project.name);
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify(
        {
          name: project.name,
          private: true,
          type: project.type,
          dependencies: {
            "bff-session": `file:${tarball}`,
            express: project.express,
            jose: "^6.0.0",
          },
        },
        null,
        2,
      ),
    );
    writeFileSync(path.join(dir, project.file), project.source);
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], dir);
    process.stdout.write(run("node", [project.file, project.name], dir));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
