import { readFileSync } from "node:fs";
import path from "node:path";
import { SHAPES } from "../lib/options.js";

// The README's option table and the zod schema cannot drift: an option added to the schema
// without a row (or a row for an option that does not exist) fails here.
const readme = readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

function documentedOptions(): string[] {
  const section = readme.slice(
    readme.indexOf("\n## Options\n"),
    readme.indexOf("\n### Key sources\n"),
  );
  return [...section.matchAll(/^\| `([A-Za-z.]+)` \| ([^|]+) \|/gm)].map((m) => m[1]!);
}

function schemaOptions(): string[] {
  const paths: string[] = [];
  for (const key of Object.keys(SHAPES[""]!)) {
    const nested = SHAPES[key];
    if (nested === undefined) paths.push(key);
    else for (const child of Object.keys(nested)) paths.push(`${key}.${child}`);
  }
  // csrf can also be `false` as a whole, so it has a row of its own.
  return [...paths, "csrf"].sort();
}

it("documents every option in the README table, and nothing else", () => {
  expect(documentedOptions().sort()).toEqual(schemaOptions());
});

it("gives every documented option a default", () => {
  const section = readme.slice(
    readme.indexOf("\n## Options\n"),
    readme.indexOf("\n### Key sources\n"),
  );
  for (const [, name, value] of section.matchAll(/^\| `([A-Za-z.]+)` \| ([^|]*) \|/gm)) {
    expect([name, value!.trim().length > 0]).toEqual([name, true]);
  }
});
