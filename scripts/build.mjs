// Builds dist/esm and dist/cjs from lib/ with tsc, then marks each folder with its module
// type so Node (and TypeScript's node16/nodenext resolution) read each as what it is.
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
const tsc = (project) =>
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], {
    stdio: "inherit",
  });
tsc("tsconfig.build.json");
tsc("tsconfig.build.cjs.json");
writeFileSync("dist/esm/package.json", JSON.stringify({ type: "module" }) + "\n");
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
