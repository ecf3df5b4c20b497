/**
 * A duration as options take it: seconds, or a string such as "90s", "30m", "2h", "7d".
 *
 * @example
 * ```ts
 * const session = { idleTimeout: "30m", absoluteTimeout: 8 * 3600 } satisfies SessionRouterOptions["session"];
 * ```
 */
export type Duration = number | `${number}${"ms" | "s" | "m" | "h" | "d"}`;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Milliseconds for a {@link Duration}, or undefined when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number")
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const match = PATTERN.exec(value.trim());
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
