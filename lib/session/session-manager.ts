import type { Request } from "express";
import { SessionStoreError } from "../errors/internal-errors.js";
import type { SessionEvent } from "../events.js";
import type { RouterOptions as ResolvedOptions } from "../options/types.js";
import {
  expiresAt,
  isSessionRecord,
  type SessionInfo,
  type SessionRecord,
  type SessionStore,
} from "../stores/session-store.js";
import { MemorySessionStore } from "../stores/memory.js";
import { deviceLabel } from "./device-label.js";
import type { SessionCookie } from "./cookie.js";
import { Deadlines } from "./deadlines.js";
import { newDeadlines } from "./lifetime.js";
import { openToken, sealToken } from "./sealed-token.js";
import { generateSessionToken, isWellFormedSessionToken, sessionIdFor } from "./session-token.js";
import { matchesStandIn, STAND_IN_MS } from "./stand-in.js";

const OPENED_MAX = 10_000;
// A store key: the SHA-256 of a cookie token, base64url.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A customer token to keep in a session, with its lifetime in ms since the epoch. */
export interface KeptToken {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** The session a request's cookie names: the cookie's token and the store key derived from it. */
export interface SessionRef {
  token: string;
  id: string;
}

/**
 * A live session, as `authenticate()` puts it on `req.auth`.
 *
 * @example
 * ```ts
 * app.get("/store/orders", sessions.authenticate(), (req, res) => {
 *   const { customerId, sessionId, expiresAt } = req.auth!;
 *   res.json({ orders: orders.of(customerId), session_ends: expiresAt });
 * });
 * ```
 */
export interface AuthInfo {
  customerId: string;
  /** The store key (SHA-256 of the cookie token), never the token itself. */
  sessionId: string;
  createdAt: Date;
  /** The earlier of the idle and absolute deadlines. */
  expiresAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  /** The customer's bearer token, with `token.keep` only: for calls to the commerce backend. */
  token?: string;
}

/**
 * The session lifecycle — create, load (with expiry and the sliding touch), destroy, list,
 * revoke — on top of any SessionStore. Store failures become SessionStoreError (the
 * documented 500); records of the wrong shape are treated as no session.
 */
export class SessionManager {
  private readonly store: SessionStore;
  private readonly deadlines: Deadlines;
  private warnedUncapped = false;
  private readonly opened = new Map<string, string>();
  private readonly observed: boolean;
  private readonly inProcess: boolean;

  constructor(
    private readonly options: ResolvedOptions,
    readonly cookie: SessionCookie,
    private readonly report: (event: SessionEvent) => void,
  ) {
    this.store = options.sessions;
    this.deadlines = new Deadlines(options.lifetime.storeTimeout);
    this.observed = options.onEvent !== undefined || options.logDebug;
    this.inProcess = this.store instanceof MemorySessionStore;
  }

  /** The session named by the request's cookie, if the cookie is there and well-formed. */
  fromRequest(req: Request): SessionRef | undefined {
    const token = this.cookie.read(req.headers.cookie);
    if (token === undefined || !isWellFormedSessionToken(token)) return undefined;
    return { token, id: sessionIdFor(token) };
  }

  /**
   * Starts a session; resolves the token for the cookie and the session's id. With
   * `token.keep`, `kept` is sealed into the record; unless the token is refreshed (`upstream`
   * with refresh on), the session ends no later than the token.
   */
  async create(
    customerId: string,
    req: Request,
    kept?: KeptToken,
    signIn?: { pending: boolean; standIn: string },
  ): Promise<{ token: string; id: string; record: SessionRecord }> {
    const now = this.options.now();
    const token = generateSessionToken();
    const id = sessionIdFor(token);
    const userAgent = req.headers["user-agent"]?.slice(0, 256);
    const { idleExpiresAt, absoluteExpiresAt } = newDeadlines(now, this.options.lifetime);
    const record: SessionRecord = {
      sid: id,
      customerId,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt,
      absoluteExpiresAt,
    };
    if (userAgent !== undefined) record.userAgent = userAgent;
    if (kept !== undefined) {
      record.token = sealToken(kept.token, token);
      record.tokenIssuedAt = kept.issuedAt;
      record.tokenExpiresAt = kept.expiresAt;
      // A token that is not refreshed caps the session.
      if (!this.options.upstream?.refresh) {
        record.absoluteExpiresAt = Math.min(record.absoluteExpiresAt, kept.expiresAt);
        record.idleExpiresAt = Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
      }
    }
    if (signIn !== undefined) {
      if (signIn.pending) record.pending = true;
      record.standIn = signIn.standIn;
      record.standInExpiresAt = now + STAND_IN_MS;
    }
    const ended = await this.call("set", () => this.store.set(id, record, this.options.limits));
    // The one event of every login: not even built when nobody listens.
    if (this.observed) this.report({ type: "session.created", sessionId: id, customerId });
    if (Array.isArray(ended)) {
      for (const sessionId of ended) {
        this.report({ type: "session.destroyed", sessionId, customerId, reason: "limit" });
      }
    } else if (!this.warnedUncapped) {
      this.warnedUncapped = true;
      this.options.logger.warn(
        { maxPerCustomer: this.options.limits.maxPerCustomer },
        "bff-session: this session store does not cap sessions per customer; session.maxPerCustomer is not enforced",
      );
    }
    return { token, id, record };
  }

  /**
   * The live session with this id, or undefined. Expired sessions are destroyed. When `touch`
   * and the last write is older than `touchInterval`, the idle deadline moves (never past the
   * absolute one) through `store.touch`, which cannot revive a session destroyed meanwhile.
   * A pending session (a token that names no customer yet) is none, unless `pending` asks for it.
   */
  async load(id: string, touch = true, pending = false): Promise<SessionRecord | undefined> {
    const record = await this.call("get", () => this.store.get(id));
    if (record === null || record === undefined) return undefined;
    // Not a record, or not the record of this key (a hash mismatch): never a session.
    if (!isSessionRecord(record) || record.sid !== id) {
      this.report({
        type: "store.error",
        operation: "get",
        error: new TypeError("corrupted session record"),
      });
      await this.call("destroy", () => this.store.destroy(id));
      return undefined;
    }
    const { lifetime } = this.options;
    const now = this.options.now();
    // A lifetime shortened by configuration applies to sessions created before the change.
    const absoluteExpiresAt = Math.min(
      record.absoluteExpiresAt,
      record.createdAt + lifetime.absoluteTimeout,
    );
    const idleExpiresAt = Math.min(record.idleExpiresAt, record.lastSeenAt + lifetime.idleTimeout);
    // A kept token that expired (not refreshed in time: the backend was down) ends the session.
    const tokenDead = record.tokenExpiresAt !== undefined && now >= record.tokenExpiresAt;
    if (now >= absoluteExpiresAt || now >= idleExpiresAt || tokenDead) {
      await this.call("destroy", () => this.store.destroy(id));
      const kind = now >= absoluteExpiresAt || tokenDead ? "absolute" : "idle";
      this.report({ type: "session.expired", sessionId: id, customerId: record.customerId, kind });
      return undefined;
    }
    if (record.pending === true && !pending) return undefined;
    if (!touch || now - record.lastSeenAt < lifetime.touchInterval) {
      // The common case: the stored deadlines are the effective ones, so no copy is made.
      if (
        absoluteExpiresAt === record.absoluteExpiresAt &&
        idleExpiresAt === record.idleExpiresAt
      ) {
        return record;
      }
      return { ...record, absoluteExpiresAt, idleExpiresAt };
    }
    const touched: SessionRecord = {
      ...record,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + lifetime.idleTimeout, absoluteExpiresAt),
      absoluteExpiresAt,
    };
    const alive = await this.call("touch", () => this.store.touch(id, touched));
    return alive ? touched : undefined;
  }

  /**
   * Replaces the kept token of a live session (after a refresh); false when the session is
   * gone meanwhile (a guarded `touch`: a logout is never undone).
   */
  async replaceToken(
    ref: SessionRef,
    record: SessionRecord,
    kept: KeptToken,
    standIn?: string,
  ): Promise<boolean> {
    const updated: SessionRecord = {
      ...record,
      token: sealToken(kept.token, ref.token),
      tokenIssuedAt: kept.issuedAt,
      tokenExpiresAt: kept.expiresAt,
    };
    if (standIn !== undefined) {
      updated.standIn = standIn;
      updated.standInExpiresAt = this.options.now() + STAND_IN_MS;
    }
    return this.call("touch", () => this.store.touch(ref.id, updated));
  }

  /**
   * Whether `standIn` is this session's current stand-in, within its time, and used here for
   * the first time (across instances where the store records it: `consumeTokenId`).
   */
  async useStandIn(record: SessionRecord, standIn: string): Promise<boolean> {
    if (!matchesStandIn(record, standIn, this.options.now())) return false;
    return this.claim(`stand-in:${record.standIn!}`, STAND_IN_MS);
  }

  /**
   * True for the first caller of `name` within `ms`, across instances where the store can
   * record it (`consumeTokenId`); always true otherwise.
   */
  async claim(name: string, ms: number): Promise<boolean> {
    if (typeof this.store.consumeTokenId !== "function") return true;
    const key = sessionIdFor(name);
    return this.call("consumeTokenId", () =>
      this.store.consumeTokenId!(key, this.options.now() + ms),
    );
  }

  /** The customer's bearer token kept with `token.keep`, opened with the cookie's token. */
  keptToken(record: SessionRecord, ref: SessionRef): string | undefined {
    const sealed = record.token;
    if (sealed === undefined) return undefined;
    // Opening costs a key derivation and a decryption per request; the last opened tokens are
    // kept by their sealed text (unique per seal: a random IV) in this process's memory, the
    // memory that holds them during every request anyway. Bounded, oldest out first.
    const cached = this.opened.get(sealed);
    if (cached !== undefined) return cached;
    const token = openToken(sealed, ref.token);
    if (token !== undefined) {
      if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value!);
      this.opened.set(sealed, token);
    }
    return token;
  }

  async destroy(
    id: string,
    customerId: string | undefined,
    reason:
      | "logout"
      | "replaced"
      | "customer_gone"
      | "revoked"
      | "upstream_unauthorized"
      | "customer_changed",
  ): Promise<void> {
    await this.call("destroy", () => this.store.destroy(id));
    this.report({ type: "session.destroyed", sessionId: id, customerId, reason });
  }

  async list(customerId: string): Promise<SessionInfo[]> {
    const entries = await this.customerEntries(customerId, "listCustomerSessions");
    const now = this.options.now();
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
   * instance) is ended too, not left behind.
   */
  async revoke(customerId: string, except: string | undefined): Promise<number> {
    const ended = new Set<string>();
    for (let pass = 0; pass < 2; pass++) {
      const entries = await this.customerEntries(customerId, "revokeCustomerSessions");
      const ids = entries.map(([id]) => id).filter((id) => id !== except && !ended.has(id));
      await this.call("destroy", () => Promise.all(ids.map((id) => this.store.destroy(id))));
      for (const id of ids) ended.add(id);
    }
    this.report({ type: "session.revoked", customerId, count: ended.size });
    return ended.size;
  }

  /**
   * Ends one session by its id ("sign out that device"); false when there was none. The id is
   * the store key, as `req.auth.sessionId` and `listCustomerSessions` give it.
   */
  async revokeSession(id: string): Promise<boolean> {
    if (typeof id !== "string") throw new TypeError("revokeSession: sessionId must be a string");
    if (!SESSION_ID.test(id)) return false;
    const record = await this.call("get", () => this.store.get(id));
    if (record === null || record === undefined) return false;
    const customerId = isSessionRecord(record) ? record.customerId : undefined;
    await this.destroy(id, customerId, "revoked");
    return true;
  }

  /** Records a token id as used; false when it was used before (`token.singleUse`). */
  consumeTokenId(tokenIdHash: string, until: number): Promise<boolean> {
    return this.call("consumeTokenId", () => this.store.consumeTokenId!(tokenIdHash, until));
  }

  /** The store's entries for a customer; `method` names the caller in the error for stores that cannot list. */
  private customerEntries(
    customerId: string,
    method: string,
  ): Promise<Array<[string, SessionRecord]>> {
    const listByCustomer = this.store.listByCustomer;
    if (typeof listByCustomer !== "function") {
      throw new TypeError(`${method} needs a session store with listByCustomer()`);
    }
    return this.call("listByCustomer", () => listByCustomer.call(this.store, customerId));
  }

  /**
   * Runs a store call under `session.storeTimeout`; any failure (a throw, a rejection, the
   * timeout) becomes SessionStoreError and a `store.error` event. A store that hangs must not
   * hold requests (and their sockets) forever.
   */
  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      // The memory store never waits on I/O: nothing to bound. Promise.resolve: a store method
      // that returns a plain value still works.
      if (this.inProcess) return await run();
      return await this.deadlines.run(operation, Promise.resolve(run()));
    } catch (error) {
      this.report({ type: "store.error", operation, error });
      throw new SessionStoreError(operation, { cause: error });
    }
  }
}

/**
 * `req.auth`: ids as fields, deadlines as Dates made on first read. Most requests read only
 * `customerId`; four Dates per request showed up as garbage in profiles of the hot path.
 */
class SessionAuth implements AuthInfo {
  private created?: Date;
  private expires?: Date;
  private idle?: Date;
  private absolute?: Date;
  token?: string;

  constructor(
    readonly sessionId: string,
    readonly customerId: string,
    private readonly record: SessionRecord,
    token: string | undefined,
  ) {
    if (token !== undefined) this.token = token;
  }

  get createdAt(): Date {
    return (this.created ??= new Date(this.record.createdAt));
  }
  get expiresAt(): Date {
    return (this.expires ??= new Date(expiresAt(this.record)));
  }
  get idleExpiresAt(): Date {
    return (this.idle ??= new Date(this.record.idleExpiresAt));
  }
  get absoluteExpiresAt(): Date {
    return (this.absolute ??= new Date(this.record.absoluteExpiresAt));
  }

  /** What `JSON.stringify(req.auth)` shows: the same fields as the interface, never the token. */
  toJSON(): Omit<AuthInfo, "token"> {
    const { customerId, sessionId, createdAt, expiresAt, idleExpiresAt, absoluteExpiresAt } = this;
    return { customerId, sessionId, createdAt, expiresAt, idleExpiresAt, absoluteExpiresAt };
  }
}

export function toAuthInfo(sessionId: string, record: SessionRecord, token?: string): AuthInfo {
  return new SessionAuth(sessionId, record.customerId, record, token);
}

function toSessionInfo(sessionId: string, record: SessionRecord): SessionInfo {
  return {
    sessionId,
    customerId: record.customerId,
    createdAt: new Date(record.createdAt),
    lastSeenAt: new Date(record.lastSeenAt),
    expiresAt: new Date(expiresAt(record)),
    idleExpiresAt: new Date(record.idleExpiresAt),
    absoluteExpiresAt: new Date(record.absoluteExpiresAt),
    userAgent: record.userAgent,
    device: deviceLabel(record.userAgent),
  };
}
