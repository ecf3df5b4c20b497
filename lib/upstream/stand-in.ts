import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { TokenRejectedError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { sendJson } from "../http/respond.js";
import type { RouteDeps } from "../routes/deps.js";
import type { StandInSignIn } from "../routes/post-session.js";
import type { Sessions } from "../session/sessions.js";
import type { SessionRecord } from "../stores/session-store.js";

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

/** The record fields of a new stand-in: its hash and until when it is accepted. */
export function standInFields(hash: string, now: number): { hash: string; expiresAt: number } {
  return { hash, expiresAt: now + STAND_IN_MS };
}

/**
 * Whether `standIn` is this session's current stand-in, within its time, and used here for
 * the first time, across instances (the store's single-use claim).
 */
export async function redeemStandIn(
  sessions: Sessions,
  record: SessionRecord,
  standIn: string,
  now: number,
): Promise<boolean> {
  if (!matchesStandIn(record, standIn, now)) return false;
  return sessions.claimOnce(`stand-in:${record.standIn!}`, now + STAND_IN_MS);
}

/**
 * `POST /auth/session` with a stand-in in place of a token: valid only with the cookie of the
 * session it was made for, once, within its time. That session was started by the sign-in a
 * moment ago (a fresh id, the previous one destroyed), so it is kept, not rotated again:
 * requests already under way with the new cookie go on working. A stand-in for a token that
 * names no customer yet (registration, MFA pending) authenticates nothing: `{ user: null }`,
 * so that clients which post every token they get here (the Medusa SDK) carry on.
 */
export function standInSignIn(deps: RouteDeps): StandInSignIn {
  const { sessions, customerTokens, loadCustomer, options } = deps;
  return async function signInWithStandIn(req, res, standIn) {
    if (!isStandIn(standIn)) return false;
    const ref = sessions.fromRequest(req);
    const record = ref === undefined ? undefined : await sessions.load(ref.id, { pending: true });
    if (ref === undefined || record === undefined) throw new TokenRejectedError("stand_in");
    if (record.pending === true) {
      if (!matchesStandIn(record, standIn, options.now())) throw new TokenRejectedError("stand_in");
      sendJson(res, 200, { user: null });
      return true;
    }
    if (!(await redeemStandIn(sessions, record, standIn, options.now())))
      throw new TokenRejectedError("stand_in");
    const token = await customerTokens.forUse(ref, record);
    if (token === undefined) throw new TokenRejectedError("stand_in");
    const user = await loadCustomer(record.customerId, { req, claims: undefined, token });
    if (user === undefined)
      throw new StoreApiError("not_found", `Customer with id: ${record.customerId} was not found`);
    sendJson(res, 200, { user });
    return true;
  };
}
