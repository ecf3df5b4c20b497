// Builds the package and the example only when one of their sources changed since their last
// build, so a warm `npm start` or `npm run medusa` skips straight to its server.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

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

/** Builds `dist/` when `lib/` (or the build's configuration) changed since. */
export function buildPackage() {
  if (!stale("dist/cjs/index.js", "lib", "tsconfig.json", "tsconfig.build.json", "package.json"))
    return;
  console.log("building the package (lib/ changed) …");
  node("scripts/build.mjs");
}

/** Builds `example-app/dist/` when its sources or the package's types changed since. */
export function buildExample() {
  if (
    !stale(
      "example-app/dist/server.js",
      "example-app/src",
      "example-app/tsconfig.json",
      "dist/cjs/index.d.ts",
    )
  )
    return;
  console.log("building the example (example-app/src changed) …");
  node("node_modules/typescript/bin/tsc", "-p", "example-app/tsconfig.json");
}
