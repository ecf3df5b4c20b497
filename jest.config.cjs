// EXPRESS_MAJOR=4 runs the whole suite against Express 4 (installed as the alias "express4");
// the default is Express 5. CI runs both.
const express4 = process.env.EXPRESS_MAJOR === "4" ? { "^express$": "express4" } : {};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Suites against a Redis Cluster or a real Medusa start their own servers:
  // `npm run test:cluster`, `npm run test:medusa`.
  testPathIgnorePatterns: [
    "/node_modules/",
    "<rootDir>/__tests__/cluster/",
    "<rootDir>/__tests__/medusa/",
  ],
  setupFiles: ["<rootDir>/__tests__/support/no-auto-telemetry.ts"],
  globalSetup: "<rootDir>/__tests__/support/global-setup.cjs",
  // Source imports carry the ".js" extension the ESM build needs; jest resolves the .ts file.
  // The example app imports the package by name, as a user would; tests point that at lib/.
  moduleNameMapper: {
    "^(\\.{1,2}/.*)\\.js$": "$1",
    "^bff-session$": "<rootDir>/lib/index.ts",
    "^bff-session/testing$": "<rootDir>/lib/testing/index.ts",
    "^bff-session/medusa$": "<rootDir>/lib/medusa/index.ts",
    ...express4,
  },
  transform: {
    "^.+\\.[tj]s$": ["ts-jest", { tsconfig: "tsconfig.test.json" }],
  },
  // jose 6 ships ESM only: let ts-jest turn it into CommonJS for jest's module system.
  transformIgnorePatterns: ["/node_modules/(?!jose/)"],
};
