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
  // One suite at a time, by name; stopped-backend.test.ts (it stops the backend) last.
  maxWorkers: 1,
  testSequencer: "<rootDir>/__tests__/medusa/sequencer.cjs",
};
