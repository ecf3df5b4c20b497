import type { z } from "zod";
import { describeValue } from "./validators.js";

/**
 * The TypeError for a rejected option: it names the option and what was received (a kind of
 * value, never a string's content: it may be a secret), e.g.
 * `option "upstream.timeout" must be a positive number of seconds …; received a string`, or
 * `option "upstream.baseUrl" is missing (received undefined); it must be …`. For an unknown key
 * it suggests the known key most likely meant (helmet-style), e.g.
 * `unknown option "sesions" (did you mean "sessions"?)`. Parse with `reportInput: true`.
 */
export function optionError(
  error: z.ZodError,
  shapes: Readonly<Record<string, object>>,
): TypeError {
  const issue = error.issues[0]!;
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const at = path === "" ? key : `${path}.${key}`;
    const known = Object.keys(shapes[path] ?? {});
    const near = closest(key, known);
    // A key of another level given here ("secret" at the top for "cookie.secret").
    const guess =
      near === undefined ? nestedHome(key, shapes) : path === "" ? near : `${path}.${near}`;
    const suggestion = guess === undefined ? "" : ` (did you mean "${guess}"?)`;
    return new TypeError(`unknown option "${at}"${suggestion}`);
  }
  const message =
    issue.input === undefined
      ? `is missing (received undefined); it ${issue.message}`
      : `${issue.message}; received ${describeValue(issue.input)}`;
  return new TypeError(`option "${path}" ${message}`, { cause: withoutInputs(error) });
}

/** The error with the received values taken out of its issues: a log of the cause shows no secret. */
function withoutInputs(error: z.ZodError): z.ZodError {
  const scrub = (issues: readonly object[]): void => {
    for (const issue of issues as Array<{ input?: unknown; errors?: object[][] }>) {
      delete issue.input;
      for (const branch of issue.errors ?? []) scrub(branch);
    }
  };
  scrub(error.issues);
  return error;
}

/** "level.key" for the one nested level that knows `key` (closely enough), if any. */
function nestedHome(key: string, shapes: Readonly<Record<string, object>>): string | undefined {
  for (const [level, shape] of Object.entries(shapes)) {
    if (level === "") continue;
    const near = closest(key, Object.keys(shape));
    if (near !== undefined) return `${level}.${near}`;
  }
  return undefined;
}

/** The known key within edit distance 2 of `key`, helmet-style. */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
