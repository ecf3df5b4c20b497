import { UpstreamError } from "../errors/errors.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { CustomerTokens } from "../routes/deps.js";
import { customerToken, sealedFields, type OpenedTokens } from "../session/customer-token.js";
import type { SessionRef, Sessions } from "../session/sessions.js";
import type { SessionRecord } from "../stores/session-store.js";
import type { VerifiedToken } from "../token/verify-token.js";
import type { UpstreamClient } from "./client.js";
import { traceRefresh } from "../observability/publish.js";
import { addTraceHeaders, ownHeaders } from "./headers.js";
import { readTokenAnswer } from "./token-answer.js";

// How long one instance holds the right to refresh a session's token.
const CLAIM_MS = 10_000;

/** What a refresh came to. */
export type RefreshResult =
  | { outcome: "refreshed"; token: string; record: SessionRecord }
  /** Another request or instance holds the refresh: the current token stays in use. */
  | { outcome: "skipped"; token: string }
  /** The backend refused the token, or the new one names another customer: session ended. */
  | { outcome: "ended" }
  /** The backend is down or answered oddly: the current token stays in use until it expires. */
  | { outcome: "failed"; token: string; error: Error };

/** What the refresher is built from. */
export interface RefresherDeps {
  sessions: Sessions;
  opened: OpenedTokens;
  client: UpstreamClient;
  /** Verifies a token the backend issued (see `adopt.ts`). */
  verifyIssued: (token: string) => Promise<VerifiedToken>;
  report: (event: SessionEvent) => void;
  logger: Logger;
  now: () => number;
  /** Refresh when less than this share of the token's lifetime is left; false: never by itself. */
  remaining: number | false;
}

/**
 * The one refresh path of the customer token a session keeps: when less than
 * `upstream.refresh.remaining` of its lifetime is left it is exchanged at the backend
 * (`POST /auth/token/refresh`) before it is used, and the SDK's `auth.refresh()` runs the same
 * exchange on demand. Medusa re-issues only a token that is still valid, so this happens
 * before expiry, never after.
 *
 * Once per session however many requests arrive: one refresh in flight per session in this
 * process, and a short claim in the session store across instances (the others keep using the
 * old token, still valid, meanwhile). A refreshed token must name the same customer, and a 401
 * ends the session; a backend that is down leaves the old token in use until it expires.
 */
export class TokenRefresher implements CustomerTokens {
  private readonly inFlight = new Map<string, Promise<RefreshResult>>();

  constructor(private readonly deps: RefresherDeps) {}

  asKept(ref: SessionRef, record: SessionRecord): string | undefined {
    return this.deps.opened.open(record, ref.token);
  }

  forUse(ref: SessionRef, record: SessionRecord): Promise<string | undefined> | string | undefined {
    const token = this.asKept(ref, record);
    if (token === undefined || !this.due(record)) return token;
    return this.refresh(ref, record).then((result) =>
      result.outcome === "ended" ? undefined : result.token,
    );
  }

  /** Refreshes now (or joins the refresh in flight), whatever the token's age. */
  refresh(ref: SessionRef, record: SessionRecord): Promise<RefreshResult> {
    let flight = this.inFlight.get(ref.id);
    if (flight === undefined) {
      flight = this.exchange(ref, record).finally(() => this.inFlight.delete(ref.id));
      this.inFlight.set(ref.id, flight);
    }
    return flight;
  }

  private due({ tokenIssuedAt, tokenExpiresAt }: SessionRecord): boolean {
    const { remaining, now } = this.deps;
    if (remaining === false || tokenIssuedAt === undefined || tokenExpiresAt === undefined)
      return false;
    return tokenExpiresAt - now() < (tokenExpiresAt - tokenIssuedAt) * remaining;
  }

  private async exchange(ref: SessionRef, record: SessionRecord): Promise<RefreshResult> {
    const { sessions, client, now } = this.deps;
    const token = this.asKept(ref, record);
    if (token === undefined) return { outcome: "ended" };
    const claimed = await sessions.claimOnce(
      `refresh:${ref.id}:${record.tokenExpiresAt}`,
      now() + CLAIM_MS,
    );
    if (!claimed) return { outcome: "skipped", token };

    let fresh: string;
    try {
      const headers: Record<string, string> = ownHeaders({ token, identity: true });
      fresh = await traceRefresh(
        () => ({ headers: {} }),
        async (message) => {
          if (message !== undefined) addTraceHeaders(headers, message.headers);
          const answer = await client.read({
            method: "POST",
            path: "/auth/token/refresh",
            headers,
            untraced: true,
          });
          if (answer.status === 401) {
            if (message !== undefined) message.outcome = "refused";
            return "";
          }
          const read = readTokenAnswer(answer);
          if (typeof read.json?.token !== "string")
            throw new UpstreamError(
              "BFF_UPSTREAM_BAD_ANSWER",
              `the refresh answered ${answer.status}`,
            );
          if (message !== undefined) message.outcome = "refreshed";
          return read.json.token;
        },
      );
    } catch (error) {
      return this.failed(token, error);
    }
    if (fresh === "") return this.end(ref, record, "upstream_unauthorized");
    let verified;
    try {
      verified = await this.deps.verifyIssued(fresh);
    } catch (error) {
      return this.failed(token, error);
    }
    if (verified.customerId !== record.customerId) return this.end(ref, record, "customer_changed");
    const updated: SessionRecord = {
      ...record,
      ...sealedFields(customerToken(fresh, verified.claims, now()), ref.token),
    };
    if (!(await sessions.replace(ref.id, updated))) return { outcome: "ended" };
    this.deps.report({ type: "token.refreshed", sessionId: ref.id, customerId: record.customerId });
    return { outcome: "refreshed", token: fresh, record: updated };
  }

  private async end(
    ref: SessionRef,
    record: SessionRecord,
    reason: "upstream_unauthorized" | "customer_changed",
  ): Promise<RefreshResult> {
    await this.deps.sessions.end(ref.id, record.customerId, reason);
    return { outcome: "ended" };
  }

  private failed(token: string, error: unknown): RefreshResult {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.deps.report({ type: "upstream.error", operation: "refresh", error: cause });
    this.deps.logger.warn(
      { err: cause },
      "bff-session: token refresh failed; the current token stays in use until it expires",
    );
    return { outcome: "failed", token, error: cause };
  }
}
