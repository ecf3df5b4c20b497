// npm start: builds the package and the example only when one of their sources changed since
// the last build (a warm start is the server's own start-up), then runs the example. PORT and
// HOST choose where it listens.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildExample, buildPackage } from "./build-if-stale.mjs";

buildPackage();
buildExample();
await import(pathToFileURL(path.resolve("example-app/dist/server.js")).href);
