import diagnosticsChannel from "node:diagnostics_channel";
import { CHANNELS, type RefreshMessage } from "../../lib/index.js";
import { UpstreamError } from "../../lib/errors/errors.js";
import { customerToken, OpenedTokens } from "../../lib/session/customer-token.js";
import type { UpstreamClient } from "../../lib/upstream/client.js";
import { TokenRefresher } from "../../lib/upstream/refresh.js";
import { START } from "../helpers.js";
import { makeSessions } from "../support/sessions.js";

const HOUR = 3_600_000;
const json = (status: number, body: unknown) => ({
  status,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify(body)),
});

/** A session keeping "old-jwt" (issued now, valid an hour) and a refresher for it. */
async function setup(remaining: number | false = 0.25) {
  const t = makeSessions({ tokenCapsSession: false });
  const kept = { token: "old-jwt", issuedAt: START, expiresAt: START + HOUR };
  const req = t.request();
  const started = await t.sessions.start("cus_1", req, { customerToken: kept });
  const ref = { token: started.token, id: started.id };
  const read = jest.fn(async () => json(200, { token: "new-jwt" }));
  const verifyIssued = jest.fn(async (token: string) => ({
    customerId: "cus_1",
    claims: { iat: t.clock.seconds(), exp: t.clock.seconds() + 3600, token },
  }));
  const refresher = new TokenRefresher({
    sessions: t.sessions,
    opened: new OpenedTokens(),
    client: { read } as unknown as UpstreamClient,
    verifyIssued,
    report: (e) => void t.events.push(e),
    logger: t.logger,
    now: t.clock.now,
    remaining,
  });
  t.events.length = 0;
  return { ...t, ref, record: started.record, read, verifyIssued, refresher };
}

it("asKept(): the kept token, opened with the cookie's token", async () => {
  const t = await setup();
  expect(t.refresher.asKept(t.ref, t.record)).toBe("old-jwt");
});

it("forUse(): the kept token while more than `remaining` of its life is left, no backend call", async () => {
  const t = await setup();
  t.clock.advance(0.75 * HOUR - 1);
  expect(await t.refresher.forUse(t.ref, t.record)).toBe("old-jwt");
  expect(t.read).not.toHaveBeenCalled();
});

it("forUse(): once due, refreshes at the backend, keeps the new token sealed, reports it", async () => {
  const t = await setup();
  t.clock.advance(0.75 * HOUR + 1);
  expect(await t.refresher.forUse(t.ref, t.record)).toBe("new-jwt");
  expect(t.read).toHaveBeenCalledWith(
    expect.objectContaining({ method: "POST", path: "/auth/token/refresh", untraced: true }),
  );
  const stored = (await t.store.get(t.ref.id))!;
  expect(stored.token).not.toContain("new-jwt");
  expect(t.refresher.asKept(t.ref, stored)).toBe("new-jwt");
  expect(stored.tokenExpiresAt).toBe(
    customerToken("x", { exp: t.clock.seconds() + 3600 }, 0).expiresAt,
  );
  expect(t.events).toEqual([{ type: "token.refreshed", sessionId: t.ref.id, customerId: "cus_1" }]);
});

it("the refresh message holds no token; a subscriber adds trace context but replaces nothing", async () => {
  const t = await setup();
  const published: Array<Record<string, unknown>> = [];
  const handlers = {
    start(message: unknown) {
      const { headers } = message as RefreshMessage;
      published.push({ ...headers });
      headers.authorization = "Bearer planted";
      headers.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    },
    end() {},
    asyncStart() {},
    asyncEnd(message: unknown) {
      ended.push(JSON.stringify(message));
    },
    error() {},
  };
  const ended: string[] = [];
  const channel = diagnosticsChannel.tracingChannel(CHANNELS.refresh);
  channel.subscribe(handlers);
  try {
    t.clock.advance(0.75 * HOUR + 1);
    expect(await t.refresher.forUse(t.ref, t.record)).toBe("new-jwt");
  } finally {
    channel.unsubscribe(handlers);
  }
  expect(published).toEqual([{}]);
  // Neither the old token nor the new one, which the traced call resolves.
  expect(ended).toHaveLength(1);
  expect(ended[0]).not.toMatch(/old-jwt|new-jwt/);
  const sent = (t.read.mock.calls[0] as unknown as [{ headers: Record<string, string> }])[0]
    .headers;
  expect(sent.authorization).toBe("Bearer old-jwt");
  expect(sent.traceparent).toMatch(/^00-0af7651916cd43dd/);
});

it("never by itself with remaining: false", async () => {
  const t = await setup(false);
  t.clock.advance(HOUR - 1);
  expect(await t.refresher.forUse(t.ref, t.record)).toBe("old-jwt");
  expect(t.read).not.toHaveBeenCalled();
});

it("one refresh per session however many requests ask at once", async () => {
  const t = await setup();
  t.clock.advance(1000); // the new token then expires later than the old: its own claim
  const results = await Promise.all([1, 2, 3].map(() => t.refresher.refresh(t.ref, t.record)));
  expect(t.read).toHaveBeenCalledTimes(1);
  expect(results.map((r) => r.outcome)).toEqual(["refreshed", "refreshed", "refreshed"]);
  // Once settled, a later refresh (of the new token: another claim) is a new one.
  await t.refresher.refresh(t.ref, (await t.store.get(t.ref.id))!);
  expect(t.read).toHaveBeenCalledTimes(2);
});

it("skipped, the current token kept, when another instance holds the claim", async () => {
  const t = await setup();
  const claim = `refresh:${t.ref.id}:${t.record.tokenExpiresAt}`;
  await t.sessions.claimOnce(claim, START + 10_000);
  expect(await t.refresher.refresh(t.ref, t.record)).toEqual({
    outcome: "skipped",
    token: "old-jwt",
  });
  expect(t.read).not.toHaveBeenCalled();
});

it("a 401 from the backend ends the session (upstream_unauthorized)", async () => {
  const t = await setup();
  t.read.mockResolvedValueOnce({
    status: 401,
    headers: {},
    body: Buffer.from("Unauthorized"),
  } as never);
  expect(await t.refresher.refresh(t.ref, t.record)).toEqual({ outcome: "ended" });
  expect(await t.store.get(t.ref.id)).toBeNull();
  expect(t.events).toContainEqual(
    expect.objectContaining({ type: "session.destroyed", reason: "upstream_unauthorized" }),
  );
});

it("a token for another customer ends the session (customer_changed)", async () => {
  const t = await setup();
  t.verifyIssued.mockResolvedValueOnce({ customerId: "cus_other", claims: { exp: 1 } } as never);
  expect(await t.refresher.refresh(t.ref, t.record)).toEqual({ outcome: "ended" });
  expect(t.events).toContainEqual(
    expect.objectContaining({ type: "session.destroyed", reason: "customer_changed" }),
  );
});

it.each<[string, () => Promise<unknown>]>([
  ["the backend is down", () => Promise.reject(new UpstreamError("BFF_UPSTREAM_UNREACHABLE", "x"))],
  ["the answer has no token", async () => json(200, { nope: true })],
  ["the answer is a 500", async () => json(500, { type: "unknown_error" })],
])("failed, the current token kept, when %s: reported and warned", async (_, answer) => {
  const t = await setup();
  t.read.mockImplementationOnce(answer as never);
  const result = await t.refresher.refresh(t.ref, t.record);
  expect(result).toMatchObject({ outcome: "failed", token: "old-jwt" });
  expect((result as { error: unknown }).error).toBeInstanceOf(UpstreamError);
  expect(t.events).toEqual([
    { type: "upstream.error", operation: "refresh", error: expect.any(UpstreamError) },
  ]);
  expect(t.logger.warn).toHaveBeenCalledTimes(1);
  expect(await t.store.get(t.ref.id)).not.toBeNull();
});

it("failed when the new token does not verify; the session stays", async () => {
  const t = await setup();
  t.verifyIssued.mockRejectedValueOnce(new Error("bad signature"));
  expect(await t.refresher.refresh(t.ref, t.record)).toMatchObject({
    outcome: "failed",
    token: "old-jwt",
  });
  expect(await t.store.get(t.ref.id)).not.toBeNull();
});

it("ended without a call when the kept token cannot be opened", async () => {
  const t = await setup();
  const foreign = { ...t.ref, token: "Y".repeat(43) };
  expect(await t.refresher.refresh(foreign, t.record)).toEqual({ outcome: "ended" });
  expect(t.read).not.toHaveBeenCalled();
});
