import { expiresAt, type SessionInfo, type SessionRecord } from "../stores/session-store.js";
import { deviceLabel } from "./device-label.js";

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

export function toSessionInfo(sessionId: string, record: SessionRecord): SessionInfo {
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
