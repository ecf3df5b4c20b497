/**
 * The bounds of `SessionStore.getRecord`/`setRecord`, checked in this one place by every
 * built-in store. The router's keys and values stay well inside them (a kind and a hash, a cart
 * or customer id); a call outside them is a bug in the caller, so it throws a TypeError instead
 * of reaching the backend, where an unbounded key or value would cost every instance memory.
 */
export const MAX_RECORD_KEY_LENGTH = 200;
/** At most 4 KiB, counted in UTF-8 bytes, as the backends store them. */
export const MAX_RECORD_VALUE_BYTES = 4096;

/** Throws a TypeError unless `key` is a non-empty string of at most 200 characters. */
export function checkRecordKey(key: unknown): asserts key is string {
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_RECORD_KEY_LENGTH) {
    throw new TypeError(
      `SessionStore.getRecord/setRecord: the key must be a string of 1 to ${MAX_RECORD_KEY_LENGTH} characters (received ${describe(key)})`,
    );
  }
}

/**
 * Throws a TypeError unless the arguments of a `setRecord` are within bounds: the key as for
 * {@link checkRecordKey}, the value a string of at most 4 KiB or null, `until` a finite time.
 */
export function checkRecordWrite(key: unknown, value: unknown, until: unknown): void {
  checkRecordKey(key);
  if (
    value !== null &&
    (typeof value !== "string" || Buffer.byteLength(value, "utf8") > MAX_RECORD_VALUE_BYTES)
  ) {
    throw new TypeError(
      `SessionStore.setRecord: the value must be null or a string of at most ${MAX_RECORD_VALUE_BYTES} bytes (received ${describe(value)})`,
    );
  }
  if (typeof until !== "number" || !Number.isFinite(until)) {
    throw new TypeError(
      `SessionStore.setRecord: "until" must be a finite time in ms since the epoch (received ${describe(until)})`,
    );
  }
}

/** What was received, without echoing a value that may be long (or private). */
function describe(value: unknown): string {
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (typeof value === "number") return String(value);
  return value === null ? "null" : typeof value;
}
