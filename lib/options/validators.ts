import { z } from "zod";
import { parseDuration, type Duration } from "./duration.js";

// The building blocks of the options schema. Messages say what is expected; the option's
// name and what was received are added by optionError, in one place.

export const DAY = 86_400_000;
export const MiB = 1024 * 1024;

/** An object with these methods (stores and loggers are described by what they can do). */
export const withMethods = <T>(names: string[], message: string) =>
  z.custom<T>(
    (v) =>
      typeof v === "object" &&
      v !== null &&
      names.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    {
      // A bare function is the usual slip (`customers: async (id) => …`): say what to write.
      error: (issue) =>
        typeof issue.input === "function"
          ? `${message} (pass { ${names[0]}: yourFunction }, not the function itself)`
          : message,
    },
  );

export const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `must be ${what}`);

// Each duration has a sane upper bound; a bigger value is almost always milliseconds given
// where seconds are meant (idleTimeout: 7200000 for "2h" would be 83 days).
export const duration = (maxMs: number, most: string, { zero = false } = {}) =>
  z.custom<Duration>(
    (v) => {
      const ms = parseDuration(v);
      return ms !== undefined && (ms > 0 || (zero && ms === 0)) && ms <= maxMs;
    },
    {
      error: (issue) => {
        const ms = parseDuration(issue.input);
        return ms !== undefined && ms > maxMs
          ? `is more than ${most}: durations are seconds, not milliseconds (write "2h" or 7200)`
          : `must be a ${zero ? "" : "positive "}number of seconds or a string such as "30m", "2h", "7d"`;
      },
    },
  );
export const lifetime = duration(400 * DAY, "400 days");
export const shortWait = duration(10 * 60_000, "10 minutes");

/** A whole number from `min` to `max`. */
export const wholeNumber = (min: number, max: number, unit = "") =>
  z.custom<number>((v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max, {
    error: `must be a whole number${unit} from ${min} to ${max}`,
  });
/** A size in whole bytes, from 1 to `max`. */
export const bytes = (max: number, most: string) => wholeNumber(1, max, ` of bytes (${most} most)`);

/** A string, or a non-empty list of them, each passing `item`. */
export const oneOrMany = (item: z.ZodString, what: string) =>
  z.union([item, z.array(item).min(1)], { error: `must be ${what}, or a non-empty list of them` });
export const nonEmpty = z.string().min(1);
// At least 32 characters: a key an attacker cannot guess offline (OWASP ASVS 6.2).
export const secret = oneOrMany(
  z.string().min(32, "must be at least 32 characters"),
  "a string of at least 32 characters",
);

// RFC 6265 §4.1.1 cookie-name is an RFC 7230 token.
export const cookieName = z
  .string()
  .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must be a valid cookie name (RFC 6265 token)");

export const origin = z.string().refine((v) => {
  try {
    return new URL(v).origin === v;
  } catch {
    return false;
  }
}, 'must be an origin such as "https://shop.example.com" (scheme, host, optional port; no path or trailing slash)');

export const httpUrl = z.custom<string | URL>((v) => {
  if (typeof v !== "string" && !(v instanceof URL)) return false;
  try {
    return ["http:", "https:"].includes(new URL(String(v)).protocol);
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL such as "http://127.0.0.1:9000"');

/**
 * Messages for zod's own checks, in the words of the custom ones ("must …"), so that no
 * option error says only "Invalid input".
 */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "must be a whole number" : `must be ${a(issue.expected)}`;
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
    }
    case "too_small":
      if (issue.origin === "string" && Number(issue.minimum) === 1) return "must not be empty";
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      if (issue.origin === "array") return "must not be an empty list";
      return `must be ${issue.inclusive ? "at least" : "more than"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "invalid_union":
      return "has the wrong type";
    default:
      return undefined;
  }
};

const a = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/**
 * A short, safe description of a given option value for an error message. Strings are never
 * echoed (the value may be a secret); numbers and booleans are.
 */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  if (typeof value === "number") return `a number (${value})`;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "function") return "a function";
  if (typeof value !== "object") return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
    ?.constructor?.name;
  return name === undefined || name === "Object" || name === "" ? "an object" : `a ${name}`;
}
