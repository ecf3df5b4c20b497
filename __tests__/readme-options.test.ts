import { readFileSync } from "node:fs";
import path from "node:path";
import { SHAPES } from "../lib/options/schema.js";

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
  for (const [level, shape] of Object.entries(SHAPES)) {
    for (const key of Object.keys(shape)) {
      const path = level === "" ? key : `${level}.${key}`;
      if (SHAPES[path] === undefined) paths.push(path);
    }
  }
  // csrf and upstream.signInLimits can also be `false` as a whole, so they have rows of their own.
  return [...paths, "csrf", "upstream.signInLimits"].sort();
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
