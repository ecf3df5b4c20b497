// npm start: builds the package and the example only when one of their sources changed since
// the last build (a warm start is the server's own start-up), then runs the example. PORT and
// HOST choose where it listens.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** The newest modification time among the files under these paths. */
function newest(...paths) {
  let latest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p)) latest = Math.max(latest, newest(path.join(p, entry)));
    } else {
      latest = Math.max(latest, stat.mtimeMs);
    }
  }
  return latest;
}

const stale = (output, ...sources) =>
  !existsSync(output) || newest(...sources) > statSync(output).mtimeMs;
const node = (...args) => execFileSync(process.execPath, args, { stdio: "inherit" });

if (stale("dist/cjs/index.js", "lib", "tsconfig.json", "tsconfig.build.json", "package.json")) {
  console.log("building the package (lib/ changed) …");
  node("scripts/build.mjs");
}
if (
  stale(
    "example-app/dist/server.js",
    "example-app/src",
    "example-app/tsconfig.json",
    "dist/cjs/index.d.ts",
  )
) {
  console.log("building the example (example-app/src changed) …");
  node("node_modules/typescript/bin/tsc", "-p", "example-app/tsconfig.json");
}
await import(pathToFileURL(path.resolve("example-app/dist/server.js")).href);
