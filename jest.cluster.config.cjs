// The Redis Cluster suites: `npm run test:cluster` starts a local cluster around them
// (scripts/redis-cluster.mjs) and runs this config.
const base = require("./jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  roots: ["<rootDir>/__tests__/cluster"],
  globalSetup: undefined,
  testTimeout: 60_000,
  // The failover suite kills masters: one suite at a time.
  maxWorkers: 1,
};
