import { hash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * How long a stand-in is accepted. A client sends it back at once (the SDK posts it to
 * `/auth/session` in the same call as the sign-in); the contract allows at most 60 s.
 */
export const STAND_IN_MS = 30_000;

// Not a JWT (no dots), so no backend takes it for one; the prefix says what it is in logs.
const PREFIX = "bffsi_";
const PATTERN = /^bffsi_[A-Za-z0-9_-]{43}$/;

/**
 * What the browser gets in place of a backend token (`{ "token": … }` answers of the sign-in
 * routes): 256 random bits, worthless anywhere but this BFF. The session keeps only its hash.
 */
export function newStandIn(): { standIn: string; hash: string } {
  const standIn = PREFIX + randomBytes(32).toString("base64url");
  return { standIn, hash: standInHash(standIn) };
}

/** True for a value shaped like a stand-in: it is then never parsed as a JWT. */
export function isStandIn(value: string): boolean {
  return PATTERN.test(value);
}

export function standInHash(standIn: string): string {
  return hash("sha256", standIn, "base64url");
}

/** Whether `standIn` is the one the record names and still within its time. Constant-time compare. */
export function matchesStandIn(
  record: { standIn?: string; standInExpiresAt?: number },
  standIn: string,
  now: number,
): boolean {
  if (record.standIn === undefined || record.standInExpiresAt === undefined) return false;
  if (now >= record.standInExpiresAt) return false;
  const given = Buffer.from(standInHash(standIn));
  const kept = Buffer.from(record.standIn);
  return given.length === kept.length && timingSafeEqual(given, kept);
}
