import type { Request } from "express";
import { NoSessionError } from "../errors/errors.js";
import type { RouteDeps } from "../routes/deps.js";
import type { SessionRef } from "../session/sessions.js";
import type { SessionRecord } from "../stores/session-store.js";

/** A session a request acts for at the backend, with the customer token to send. */
export interface ActingSession {
  ref: SessionRef;
  record: SessionRecord;
  token: string;
}

/**
 * The session the request's cookie names, pending ones included, and its customer token: as
 * kept (`refresh: false`, and always for a pending session), or refreshed first when due. No
 * live session, or one the refresh ended: 401, and the cookie is cleared.
 */
export async function actingSession(
  { sessions, customerTokens }: Pick<RouteDeps, "sessions" | "customerTokens">,
  req: Request,
  { refresh }: { refresh: boolean },
): Promise<ActingSession> {
  const ref = sessions.fromRequest(req);
  const record = ref === undefined ? undefined : await sessions.load(ref.id, { pending: true });
  let token: string | undefined;
  if (record !== undefined) {
    token =
      record.pending === true || !refresh
        ? customerTokens.asKept(ref!, record)
        : await customerTokens.forUse(ref!, record);
  }
  if (token === undefined) {
    const clearCookie = sessions.cookie.isPresent(req.headers.cookie);
    throw new NoSessionError("no session to act for", { clearCookie });
  }
  return { ref: ref!, record: record!, token };
}
