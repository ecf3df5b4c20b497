import { readFileSync } from "node:fs";
import path from "node:path";
import { SHAPES } from "../lib/options/schema.js";

// The option tables and the zod schema cannot drift: docs/options.md documents every option
// (an option added to the schema without a row, or a row for an option that does not exist,
// fails here), and the README's "Main options" table is a subset with the same rows.
const read = (file: string) => readFileSync(path.join(__dirname, "..", file), "utf8");
const ROW = /^\| `([A-Za-z.]+)` \| ([^|]*) \| ([^|]*) \|$/gm;

/** The rows of the contiguous table that follows `heading`, as [name, default, meaning]. */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no "${heading}"`);
  const table = /\n(\| option \| default \| meaning \|\n(?:\|.*\|\n)+)/.exec(text.slice(start));
  if (table === null) throw new Error(`no option table after "${heading}"`);
  return [...table[1]!.matchAll(ROW)].map((m) => [m[1]!, m[2]!.trim(), m[3]!.trim()]);
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

const all = tableAfter(read("docs/options.md"), "## All options");
const main = tableAfter(read("README.md"), "## Main options");

it("documents every option in docs/options.md, and nothing else", () => {
  expect(all.map(([name]) => name).sort()).toEqual(schemaOptions());
});

it("gives every documented option a default and a meaning", () => {
  for (const [name, value, meaning] of all) {
    expect([name, value!.length > 0, meaning!.length > 0]).toEqual([name, true, true]);
  }
});

it("lists in the README's main options only rows of docs/options.md, as written there", () => {
  expect(main.length).toBeGreaterThanOrEqual(8);
  const byName = new Map(all.map((row) => [row[0], row]));
  for (const row of main) {
    const [name, value] = row;
    expect([name, value]).toEqual([name, byName.get(name!)?.[1]]);
  }
});
