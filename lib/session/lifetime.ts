/** Resolved lifetimes in milliseconds. */
export interface Lifetime {
  idleTimeout: number;
  absoluteTimeout: number;
  touchInterval: number;
  /** How long one session-store call may take. */
  storeTimeout: number;
}

/** The deadlines of a session created at `now`. */
export function newDeadlines(
  now: number,
  lifetime: Lifetime,
): { idleExpiresAt: number; absoluteExpiresAt: number } {
  const absoluteExpiresAt = now + lifetime.absoluteTimeout;
  return {
    idleExpiresAt: Math.min(now + lifetime.idleTimeout, absoluteExpiresAt),
    absoluteExpiresAt,
  };
}
