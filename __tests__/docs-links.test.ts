import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Every relative link in the Markdown a reader follows points at a file that exists, and an
// anchor at a heading (GitHub's slugs) or an explicit id of that file.
const ROOT = path.resolve(__dirname, "..");
const FILES = [
  "README.md",
  "CONTRIBUTING.md",
  "bench/README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
// Written in parallel by another change; links to it are accepted until it lands, then checked.
/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(path.join(ROOT, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading!);
    const n = seen.get(base) ?? 0;
    anchors.add(n === 0 ? base : `${base}-${n}`);
    seen.set(base, n + 1);
  }
  for (const [, id] of text.matchAll(/<a id="([^"]+)"/g)) anchors.add(id!);
  return anchors;
}

function linksOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const inline = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  const references = [...text.matchAll(/^\[[^\]]+\]: (\S+)$/gm)].map((m) => m[1]!);
  return [...inline, ...references].filter((l) => !/^[a-z]+:/i.test(l));
}

const LINKS = FILES.flatMap((file) => linksOf(file).map((link) => [file, link] as const));

it("finds the links", () => {
  expect(LINKS.length).toBeGreaterThan(20);
});

it.each(LINKS)("%s → %s", (file, link) => {
  const [target, anchor] = link.split("#") as [string, string | undefined];
  const resolved = target === "" ? file : path.posix.join(path.posix.dirname(file), target);
  expect([resolved, existsSync(path.join(ROOT, resolved))]).toEqual([resolved, true]);
  if (anchor !== undefined && resolved.endsWith(".md")) {
    expect([...anchorsOf(resolved)]).toContain(anchor);
  }
});
