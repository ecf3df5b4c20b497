import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      "example-app/dist/",
      "coverage/",
      "node_modules/",
      ".e2e-artifacts/",
      "__tests__/.snippets-run/",
      "**/.medusa/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Medusa loads its configuration and the project's subscribers with require().
    files: [
      "**/*.cjs",
      "test-backends/medusa/medusa-config.js",
      "test-backends/medusa/src/**/*.js",
    ],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Browser code: the storefront page, and what the e2e test evaluates inside the page.
    files: ["example-app/public/**/*.js", "e2e/**/*.mjs"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
