import type { SessionEvent } from "../events.js";
import {
  expiresAt,
  isSessionRecord,
  type SessionInfo,
  type SessionRecord,
} from "../stores/session-store.js";
import { toSessionInfo } from "./auth-info.js";
import type { GuardedStore } from "./guarded-store.js";
import type { EndReason } from "./sessions.js";

// A store key: the SHA-256 of a cookie's session token, base64url.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** What {@link CustomerSessions} is built from: the store, and how a session ends. */
export interface CustomerSessionsDeps {
  store: GuardedStore;
  report: (event: SessionEvent) => void;
  now: () => number;
  end(id: string, customerId: string | undefined, reason: EndReason): Promise<void>;
}

/**
 * A customer's sessions through the store's per-customer index (`listByCustomer`): listing
 * them, ending them all ("sign out everywhere", an account change), ending one by its id.
 */
export class CustomerSessions {
  constructor(private readonly deps: CustomerSessionsDeps) {}

  /** The customer's live sessions, newest use first: metadata only. */
  async list(customerId: string): Promise<SessionInfo[]> {
    const entries = await this.customerEntries(customerId);
    const now = this.deps.now();
    return entries
      .filter(
        ([id, record]) =>
          isSessionRecord(record) &&
          record.sid === id &&
          record.pending !== true &&
          record.customerId === customerId &&
          expiresAt(record) > now,
      )
      .map(([sessionId, record]) => toSessionInfo(sessionId, record))
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
  }

  /**
   * Ends every session of the customer but `except`. The store is listed a second time after
   * the first pass: a sign-in that was being written while the first list was read (on another
   * instance) is ended too, not left behind. With a `reason` (an account change), each ended
   * session is reported as `session.destroyed` with it; without, one `session.revoked` says
   * how many.
   */
  async revoke(
    customerId: string,
    except: string | undefined,
    reason?: EndReason,
  ): Promise<number> {
    const { store } = this.deps;
    const ended = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      const entries = await this.customerEntries(customerId);
      const ids = entries.map(([id]) => id).filter((id) => id !== except && !ended.has(id));
      await store.call("destroy", () => Promise.all(ids.map((id) => store.store.destroy(id))));
      for (const id of ids) ended.add(id);
    }
    if (reason !== undefined) {
      for (const sessionId of ended)
        this.deps.report({ type: "session.destroyed", sessionId, customerId, reason });
    } else {
      this.deps.report({ type: "session.revoked", customerId, count: ended.size });
    }
    return ended.size;
  }

  /** Ends one session by its store key ("sign out that device"); false when there was none. */
  async revokeOne(id: string): Promise<boolean> {
    if (typeof id !== "string") throw new TypeError("revokeSession: sessionId must be a string");
    if (!SESSION_ID.test(id)) return false;
    const { store } = this.deps;
    const record = await store.call("get", () => store.store.get(id));
    if (record === null || record === undefined) return false;
    const customerId = isSessionRecord(record) ? record.customerId : undefined;
    await this.deps.end(id, customerId, "revoked");
    return true;
  }

  private customerEntries(customerId: string): Promise<Array<[string, SessionRecord]>> {
    const { store } = this.deps;
    const listByCustomer = store.store.listByCustomer;
    if (listByCustomer === undefined) {
      throw new TypeError("listing and revoking sessions needs a store with listByCustomer()");
    }
    return store.call("listByCustomer", () => listByCustomer.call(store.store, customerId));
  }
}
