import type { Request } from "express";
import type { SessionEvent } from "../events.js";
import { isObserved } from "../observability/publish.js";
import type { Logger } from "../logger.js";
import {
  isSessionRecord,
  type SessionInfo,
  type SessionLimits,
  type SessionRecord,
} from "../stores/session-store.js";
import type { SessionCookie } from "./cookie.js";
import { CustomerSessions } from "./customer-sessions.js";
import { sealedFields, type CustomerToken } from "./customer-token.js";
import type { GuardedStore } from "./guarded-store.js";
import { newDeadlines, type Lifetime } from "./lifetime.js";
import { generateSessionToken, isWellFormedSessionToken, sessionIdFor } from "./session-token.js";

/** The session a request's cookie names: the cookie's session token and the store key. */
export interface SessionRef {
  token: string;
  id: string;
}

/** Why a session ended; reported with `session.destroyed`. */
export type EndReason = Extract<SessionEvent, { type: "session.destroyed" }>["reason"];

/** What a session starts with beyond its customer. */
export interface StartOptions {
  /** The customer's token, sealed into the record (`token.keep`, `upstream`). */
  customerToken?: CustomerToken;
  /** The token names no customer yet: the session authenticates nothing (`upstream`). */
  pending?: boolean;
  /** The SHA-256 of the stand-in handed out with it, and until when it is accepted. */
  standIn?: { hash: string; expiresAt: number };
}

/** What {@link Sessions} is built from. */
export interface SessionsDeps {
  store: GuardedStore;
  cookie: SessionCookie;
  lifetime: Lifetime;
  limits: SessionLimits;
  /** A kept customer token caps the session (it is not refreshed). */
  tokenCapsSession: boolean;
  /** Someone listens (`onEvent`, a debug logger): only then is the login's event built. */
  observed: boolean;
  report: (event: SessionEvent) => void;
  logger: Logger;
  now: () => number;
}

/**
 * The session lifecycle on top of any SessionStore: start, load (with expiry and the sliding
 * touch), end, list, revoke. It knows nothing of a commerce backend. Records of the wrong
 * shape are treated as no session.
 */
export class Sessions {
  readonly cookie: SessionCookie;
  private warnedUncapped = false;

  private readonly byCustomer: CustomerSessions;

  constructor(private readonly deps: SessionsDeps) {
    this.cookie = deps.cookie;
    this.byCustomer = new CustomerSessions({
      store: deps.store,
      report: deps.report,
      now: deps.now,
      end: (id, customerId, reason) => this.end(id, customerId, reason),
    });
  }

  /** The session the request's cookie names, if the cookie is there and well-formed. */
  fromRequest(req: Request): SessionRef | undefined {
    const token = this.cookie.read(req.headers.cookie);
    if (token === undefined || !isWellFormedSessionToken(token)) return undefined;
    return { token, id: sessionIdFor(token) };
  }

  /** Starts a session; resolves the cookie's session token, the store key and the record. */
  async start(
    customerId: string,
    req: Request,
    options: StartOptions = {},
  ): Promise<{ token: string; id: string; record: SessionRecord }> {
    const { lifetime, now, store, limits } = this.deps;
    const at = now();
    const token = generateSessionToken();
    const id = sessionIdFor(token);
    const record: SessionRecord = {
      sid: id,
      customerId,
      createdAt: at,
      lastSeenAt: at,
      ...newDeadlines(at, lifetime),
    };
    const userAgent = req.headers["user-agent"]?.slice(0, 256);
    if (userAgent !== undefined) record.userAgent = userAgent;
    const kept = options.customerToken;
    if (kept !== undefined) {
      Object.assign(record, sealedFields(kept, token));
      if (this.deps.tokenCapsSession) {
        record.absoluteExpiresAt = Math.min(record.absoluteExpiresAt, kept.expiresAt);
        record.idleExpiresAt = Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
      }
    }
    if (options.pending === true) record.pending = true;
    if (options.standIn !== undefined) {
      record.standIn = options.standIn.hash;
      record.standInExpiresAt = options.standIn.expiresAt;
    }
    const ended = await store.call("set", () => store.store.set(id, record, limits));
    // The one event of every login: not even built when nobody listens.
    if (this.deps.observed || isObserved())
      this.deps.report({ type: "session.created", sessionId: id, customerId });
    if (Array.isArray(ended)) {
      for (const sessionId of ended) {
        this.deps.report({ type: "session.destroyed", sessionId, customerId, reason: "limit" });
      }
    } else if (!this.warnedUncapped) {
      this.warnedUncapped = true;
      this.deps.logger.warn(
        { maxPerCustomer: limits.maxPerCustomer },
        "bff-session: this session store does not cap sessions per customer; session.maxPerCustomer is not enforced",
      );
    }
    return { token, id, record };
  }

  /**
   * The live session with this id, or undefined. Expired sessions are destroyed. With `touch`
   * (the default), once the last write is older than `touchInterval`, the idle deadline moves
   * (never past the absolute one) through `store.touch`, which cannot revive a session ended
   * meanwhile. A pending session is none, unless `pending` asks for it.
   */
  async load(
    id: string,
    { touch = true, pending = false }: { touch?: boolean; pending?: boolean } = {},
  ): Promise<SessionRecord | undefined> {
    const { store, lifetime } = this.deps;
    const record = await store.call("get", () => store.store.get(id));
    if (record === null || record === undefined) return undefined;
    // Not a record, or not the record of this key (a hash mismatch): never a session.
    if (!isSessionRecord(record) || record.sid !== id) {
      const error = new TypeError("corrupted session record");
      this.deps.report({ type: "store.error", operation: "get", error });
      await store.call("destroy", () => store.store.destroy(id));
      return undefined;
    }
    const now = this.deps.now();
    // A lifetime shortened by configuration applies to sessions created before the change.
    const absoluteExpiresAt = Math.min(
      record.absoluteExpiresAt,
      record.createdAt + lifetime.absoluteTimeout,
    );
    const idleExpiresAt = Math.min(record.idleExpiresAt, record.lastSeenAt + lifetime.idleTimeout);
    // A kept token that expired (not refreshed in time: the backend was down) ends the session.
    const tokenDead = record.tokenExpiresAt !== undefined && now >= record.tokenExpiresAt;
    if (now >= absoluteExpiresAt || now >= idleExpiresAt || tokenDead) {
      await store.call("destroy", () => store.store.destroy(id));
      const kind = now >= absoluteExpiresAt || tokenDead ? "absolute" : "idle";
      this.deps.report({
        type: "session.expired",
        sessionId: id,
        customerId: record.customerId,
        kind,
      });
      return undefined;
    }
    if (record.pending === true && !pending) return undefined;
    if (!touch || now - record.lastSeenAt < lifetime.touchInterval) {
      // The common case: the stored deadlines are the effective ones, so no copy is made.
      if (absoluteExpiresAt === record.absoluteExpiresAt && idleExpiresAt === record.idleExpiresAt)
        return record;
      return { ...record, absoluteExpiresAt, idleExpiresAt };
    }
    const touched: SessionRecord = {
      ...record,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + lifetime.idleTimeout, absoluteExpiresAt),
      absoluteExpiresAt,
    };
    return (await this.replace(id, touched)) ? touched : undefined;
  }

  /**
   * Writes a changed record of a live session (a new customer token, a new stand-in); false
   * when the session is gone meanwhile: the guarded `touch` never revives a session.
   */
  replace(id: string, record: SessionRecord): Promise<boolean> {
    const { store } = this.deps;
    return store.call("touch", () => store.store.touch(id, record));
  }

  /** The one way a session ends, with the reason reported. */
  async end(id: string, customerId: string | undefined, reason: EndReason): Promise<void> {
    const { store } = this.deps;
    await store.call("destroy", () => store.store.destroy(id));
    this.deps.report({ type: "session.destroyed", sessionId: id, customerId, reason });
  }

  /** The customer's live sessions, newest use first: metadata only. */
  list(customerId: string): Promise<SessionInfo[]> {
    return this.byCustomer.list(customerId);
  }

  /** Ends every session of the customer but `except` (see `CustomerSessions.revoke`). */
  revokeCustomer(
    customerId: string,
    except: string | undefined,
    reason?: EndReason,
  ): Promise<number> {
    return this.byCustomer.revoke(customerId, except, reason);
  }

  /** Ends one session by its store key ("sign out that device"); false when there was none. */
  revokeSession(id: string): Promise<boolean> {
    return this.byCustomer.revokeOne(id);
  }

  /**
   * True for the first caller of `name` until `until`, across instances (the store's
   * `consumeTokenId`, which createSessionRouter requires wherever a claim is needed).
   */
  claimOnce(name: string, until: number): Promise<boolean> {
    const { store } = this.deps;
    const consume = store.store.consumeTokenId;
    if (consume === undefined) throw new TypeError("the session store cannot claim a value once");
    const key = sessionIdFor(name);
    return store.call("consumeTokenId", () => consume.call(store.store, key, until));
  }
}
