/**
 * `text` parsed as JSON when it is an object (not an array, a string or null), else undefined:
 * the only shape of a body the BFF reads fields from.
 */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
