// The suites against a real Medusa 2.21.2 backend: `npm run test:medusa` starts one around
// them (scripts/medusa-backend.mjs) and runs this config.
const base = require("./jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testPathIgnorePatterns: ["/node_modules/"],
  roots: ["<rootDir>/__tests__/medusa"],
  globalSetup: undefined,
  testTimeout: 90_000,
  // The last case stops the backend: one suite at a time, in file order.
  maxWorkers: 1,
};
