import type { RouterContext } from "../routes/context.js";
import { keptToken } from "../session/kept-token.js";
import type { SessionRef } from "../session/session-manager.js";
import type { SessionRecord } from "../stores/session-store.js";
import { verifyToken } from "../token/verify-token.js";
import type { UpstreamClient } from "./client.js";

// How long one instance holds the right to refresh a session's token.
const CLAIM_MS = 10_000;

/**
 * Keeps a session's kept token fresh: when less than `upstream.refresh.remaining` of its
 * lifetime is left, the token is exchanged at the backend (`POST /auth/token/refresh`) before
 * it is used. Medusa re-issues only a token that is still valid, so this happens before expiry,
 * never after.
 *
 * Once per session however many requests arrive: one refresh in flight per session in this
 * process, and a short claim in the session store across instances (the others keep using the
 * old token, still valid, meanwhile). A refreshed token must name the same customer, and a 401
 * ends the session; a backend that is down leaves the old token in use until it expires.
 */
export class TokenRefresher {
  private readonly inFlight = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly ctx: RouterContext,
    private readonly client: UpstreamClient,
    private readonly remaining: number,
  ) {}

  /** The token to send for this session (refreshed first when due), or undefined: session ended. */
  token(ref: SessionRef, record: SessionRecord): Promise<string | undefined> | string | undefined {
    const token = this.ctx.sessions.keptToken(record, ref);
    if (token === undefined || !this.due(record)) return token;
    let flight = this.inFlight.get(ref.id);
    if (flight === undefined) {
      flight = this.refresh(ref, record, token).finally(() => this.inFlight.delete(ref.id));
      this.inFlight.set(ref.id, flight);
    }
    return flight;
  }

  private due({ tokenIssuedAt, tokenExpiresAt }: SessionRecord): boolean {
    if (tokenIssuedAt === undefined || tokenExpiresAt === undefined) return false;
    const left = tokenExpiresAt - this.ctx.options.now();
    return left < (tokenExpiresAt - tokenIssuedAt) * this.remaining;
  }

  private async refresh(ref: SessionRef, record: SessionRecord, token: string) {
    const { sessions, report, policy, options } = this.ctx;
    const claimed = await sessions.claim(`refresh:${ref.id}:${record.tokenExpiresAt}`, CLAIM_MS);
    if (!claimed) return token;

    let answer;
    try {
      answer = await this.client.refresh(token);
    } catch (error) {
      this.failed(error);
      return token;
    }
    if (answer.status === 401) {
      await sessions.destroy(ref.id, record.customerId, "upstream_unauthorized");
      return undefined;
    }
    if (answer.token === undefined) {
      this.failed(new Error(`POST /auth/token/refresh answered ${answer.status}`));
      return token;
    }
    let verified;
    try {
      verified = await verifyToken(answer.token, policy);
    } catch (error) {
      this.failed(error);
      return token;
    }
    if (verified.customerId !== record.customerId) {
      await sessions.destroy(ref.id, record.customerId, "customer_changed");
      return undefined;
    }
    const kept = keptToken(answer.token, verified.claims, options.now());
    if (!(await sessions.replaceToken(ref, record, kept))) return undefined;
    report({ type: "token.refreshed", sessionId: ref.id, customerId: record.customerId });
    return answer.token;
  }

  private failed(error: unknown): void {
    this.ctx.report({ type: "upstream.error", operation: "refresh", error });
    this.ctx.logger.warn(
      { err: error },
      "bff-session: token refresh failed; the current token stays in use until it expires",
    );
  }
}
