import { SessionStoreError } from "../../lib/errors/errors.js";
import { sessionIdFor } from "../../lib/session/session-token.js";
import type { SessionRecord } from "../../lib/stores/session-store.js";
import { START } from "../helpers.js";
import { bareStore } from "../support/fake-stores.js";
import { makeSessions } from "../support/sessions.js";

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe("start()", () => {
  it("writes a record keyed by the token's hash, with both deadlines, and reports it", async () => {
    const t = makeSessions();
    const { token, id, record } = await t.sessions.start(
      "cus_1",
      t.request(undefined, {
        "user-agent": "u".repeat(300),
      }),
    );
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).toBe(sessionIdFor(token));
    expect(record).toEqual({
      sid: id,
      customerId: "cus_1",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: START + 2 * HOUR,
      absoluteExpiresAt: START + 10 * HOUR,
      userAgent: "u".repeat(256),
    });
    expect(await t.store.get(id)).toEqual(record);
    expect(t.events).toEqual([{ type: "session.created", sessionId: id, customerId: "cus_1" }]);
  });

  it("a kept token is sealed in and caps the session when it is not refreshed", async () => {
    const t = makeSessions({ tokenCapsSession: true });
    const kept = { token: "eyJ.kept.jwt", issuedAt: START, expiresAt: START + HOUR };
    const { record } = await t.sessions.start("cus_1", t.request(), { customerToken: kept });
    expect(record.token).toBeDefined();
    expect(record.token).not.toContain("eyJ");
    expect(record).toMatchObject({
      tokenIssuedAt: START,
      tokenExpiresAt: START + HOUR,
      absoluteExpiresAt: START + HOUR,
      idleExpiresAt: START + HOUR,
    });
  });

  it("a refreshed token does not cap the session", async () => {
    const t = makeSessions({ tokenCapsSession: false });
    const kept = { token: "jwt", issuedAt: START, expiresAt: START + HOUR };
    const { record } = await t.sessions.start("cus_1", t.request(), { customerToken: kept });
    expect(record.absoluteExpiresAt).toBe(START + 10 * HOUR);
  });

  it("marks a pending session and keeps a stand-in's hash and time", async () => {
    const t = makeSessions();
    const { record } = await t.sessions.start("authid_1", t.request(), {
      pending: true,
      standIn: { hash: "h", expiresAt: START + 30_000 },
    });
    expect(record).toMatchObject({ pending: true, standIn: "h", standInExpiresAt: START + 30_000 });
  });

  it("reports the sessions the store ended beyond maxPerCustomer", async () => {
    const t = makeSessions({ maxPerCustomer: 1 });
    const first = await t.sessions.start("cus_1", t.request());
    t.clock.advance(1);
    await t.sessions.start("cus_1", t.request());
    expect(t.events).toContainEqual({
      type: "session.destroyed",
      sessionId: first.id,
      customerId: "cus_1",
      reason: "limit",
    });
    expect(t.logger.warn).not.toHaveBeenCalled();
  });

  it("warns once when the store does not cap sessions per customer", async () => {
    const t = makeSessions({ store: bareStore() });
    await t.sessions.start("cus_1", t.request());
    await t.sessions.start("cus_1", t.request());
    expect(t.logger.warn).toHaveBeenCalledTimes(1);
    expect(t.logger.warn.mock.calls[0]![0]).toEqual({ maxPerCustomer: 10 });
  });
});

describe("fromRequest()", () => {
  it("names the session of a well-formed cookie, and none otherwise", async () => {
    const t = makeSessions();
    const token = "A".repeat(43);
    expect(t.sessions.fromRequest(t.request(token))).toEqual({ token, id: sessionIdFor(token) });
    expect(t.sessions.fromRequest(t.request())).toBeUndefined();
    expect(t.sessions.fromRequest(t.request("short"))).toBeUndefined();
    expect(t.sessions.fromRequest(t.request("A".repeat(42) + "="))).toBeUndefined();
  });
});

describe("load()", () => {
  it("the live session, as stored, without a write before touchInterval", async () => {
    const t = makeSessions();
    const { id, record } = await t.sessions.start("cus_1", t.request());
    const touch = jest.spyOn(t.store, "touch");
    t.clock.advance(t.lifetime.touchInterval - 1);
    expect(await t.sessions.load(id)).toEqual(record);
    expect(touch).not.toHaveBeenCalled();
  });

  it("undefined for an id the store does not have", async () => {
    const t = makeSessions();
    expect(await t.sessions.load(sessionIdFor("nothing"))).toBeUndefined();
  });

  it("moves the idle deadline once touchInterval has passed, never past the absolute one", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    t.clock.advance(t.lifetime.touchInterval);
    const touched = await t.sessions.load(id);
    expect(touched).toMatchObject({
      lastSeenAt: START + t.lifetime.touchInterval,
      idleExpiresAt: START + t.lifetime.touchInterval + 2 * HOUR,
    });
    expect(await t.store.get(id)).toEqual(touched);
    // Near the end: the idle deadline stops at the absolute one.
    for (let at = 1; at <= 9; at++) {
      t.clock.advance(HOUR - t.lifetime.touchInterval / 9);
      await t.sessions.load(id);
    }
    const late = (await t.store.get(id))!;
    expect(late.idleExpiresAt).toBeLessThanOrEqual(late.absoluteExpiresAt);
  });

  it("with touch: false, reads without writing", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    t.clock.advance(t.lifetime.touchInterval + 1);
    const touch = jest.spyOn(t.store, "touch");
    expect((await t.sessions.load(id, { touch: false }))?.lastSeenAt).toBe(START);
    expect(touch).not.toHaveBeenCalled();
  });

  it("a session idle too long is destroyed and reported as expired (idle)", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    t.clock.advance(2 * HOUR);
    // The memory store forgets it by itself: ask the record directly through a copy.
    jest.spyOn(t.store, "get").mockResolvedValueOnce({
      sid: id,
      customerId: "cus_1",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: START + 2 * HOUR,
      absoluteExpiresAt: START + 10 * HOUR,
    });
    const destroy = jest.spyOn(t.store, "destroy");
    expect(await t.sessions.load(id)).toBeUndefined();
    expect(destroy).toHaveBeenCalledWith(id);
    expect(t.events).toContainEqual({
      type: "session.expired",
      sessionId: id,
      customerId: "cus_1",
      kind: "idle",
    });
  });

  it("a session past its absolute deadline, or whose kept token expired, ends as absolute", async () => {
    const t = makeSessions();
    const id = sessionIdFor("x");
    const base: SessionRecord = {
      sid: id,
      customerId: "cus_1",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: START + 20 * HOUR,
      absoluteExpiresAt: START + HOUR,
    };
    const get = jest.spyOn(t.store, "get");
    t.clock.advance(HOUR);
    get.mockResolvedValueOnce(base);
    expect(await t.sessions.load(id)).toBeUndefined();
    get.mockResolvedValueOnce({
      ...base,
      absoluteExpiresAt: START + 5 * HOUR,
      tokenExpiresAt: START + HOUR,
    });
    expect(await t.sessions.load(id)).toBeUndefined();
    expect(t.events.filter((e) => e.type === "session.expired")).toEqual([
      { type: "session.expired", sessionId: id, customerId: "cus_1", kind: "absolute" },
      { type: "session.expired", sessionId: id, customerId: "cus_1", kind: "absolute" },
    ]);
  });

  it("applies a lifetime shortened since the session started", async () => {
    const t = makeSessions();
    const id = sessionIdFor("y");
    jest.spyOn(t.store, "get").mockResolvedValue({
      sid: id,
      customerId: "cus_1",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: START + 50 * HOUR,
      absoluteExpiresAt: START + 100 * HOUR,
    });
    t.clock.advance(MINUTE);
    expect(await t.sessions.load(id, { touch: false })).toMatchObject({
      idleExpiresAt: START + 2 * HOUR,
      absoluteExpiresAt: START + 10 * HOUR,
    });
    t.clock.advance(10 * HOUR);
    expect(await t.sessions.load(id)).toBeUndefined();
  });

  it.each<[string, unknown]>([
    ["not a record", { customerId: 42 }],
    [
      "the record of another key",
      {
        sid: "other",
        customerId: "c",
        createdAt: 0,
        lastSeenAt: 0,
        idleExpiresAt: 9e15,
        absoluteExpiresAt: 9e15,
      },
    ],
  ])("%s is no session: destroyed and reported as a store error", async (_, stored) => {
    const t = makeSessions();
    const id = sessionIdFor("z");
    jest.spyOn(t.store, "get").mockResolvedValue(stored as SessionRecord);
    const destroy = jest.spyOn(t.store, "destroy");
    expect(await t.sessions.load(id)).toBeUndefined();
    expect(destroy).toHaveBeenCalledWith(id);
    expect(t.events).toEqual([
      { type: "store.error", operation: "get", error: expect.any(TypeError) },
    ]);
  });

  it("a pending session is none, unless asked for", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("authid_1", t.request(), { pending: true });
    expect(await t.sessions.load(id)).toBeUndefined();
    expect(await t.sessions.load(id, { pending: true })).toMatchObject({ pending: true });
  });

  it("a session ended while it was being touched stays ended", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    t.clock.advance(t.lifetime.touchInterval);
    jest.spyOn(t.store, "touch").mockResolvedValueOnce(false);
    expect(await t.sessions.load(id)).toBeUndefined();
  });

  it("a store failure is a SessionStoreError", async () => {
    const t = makeSessions();
    jest.spyOn(t.store, "get").mockRejectedValueOnce(new Error("down"));
    await expect(t.sessions.load(sessionIdFor("a"))).rejects.toBeInstanceOf(SessionStoreError);
  });
});

describe("end(), list(), revoke", () => {
  it("end() destroys the session and reports why", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    await t.sessions.end(id, "cus_1", "logout");
    expect(await t.store.get(id)).toBeNull();
    expect(t.events.at(-1)).toEqual({
      type: "session.destroyed",
      sessionId: id,
      customerId: "cus_1",
      reason: "logout",
    });
  });

  it("list(): the customer's live sessions, newest use first, metadata only, no pending ones", async () => {
    const t = makeSessions();
    const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const a = await t.sessions.start("cus_1", t.request(undefined, { "user-agent": ua }));
    t.clock.advance(MINUTE);
    const b = await t.sessions.start("cus_1", t.request());
    await t.sessions.start("cus_1", t.request(), { pending: true });
    await t.sessions.start("cus_2", t.request());
    const list = await t.sessions.list("cus_1");
    expect(list.map((s) => s.sessionId)).toEqual([b.id, a.id]);
    expect(list[1]).toMatchObject({
      customerId: "cus_1",
      userAgent: ua,
      device: "Firefox on Linux",
    });
    expect(JSON.stringify(list)).not.toContain(a.token);
  });

  it("revokeCustomer(): ends all but `except`, counts them, reports one revocation", async () => {
    const t = makeSessions();
    const keep = await t.sessions.start("cus_1", t.request());
    await t.sessions.start("cus_1", t.request());
    await t.sessions.start("cus_1", t.request());
    await expect(t.sessions.revokeCustomer("cus_1", keep.id)).resolves.toBe(2);
    expect((await t.sessions.list("cus_1")).map((s) => s.sessionId)).toEqual([keep.id]);
    expect(t.events.at(-1)).toEqual({ type: "session.revoked", customerId: "cus_1", count: 2 });
  });

  it("revokeCustomer(): a session written during the first pass is ended by the second", async () => {
    const t = makeSessions();
    await t.sessions.start("cus_1", t.request());
    const list = jest.spyOn(t.store, "listByCustomer");
    let late: string | undefined;
    list.mockImplementationOnce(async (customerId) => {
      const before = await t.store.listByCustomer!(customerId);
      late = (await t.sessions.start("cus_1", t.request())).id;
      return before;
    });
    await expect(t.sessions.revokeCustomer("cus_1", undefined)).resolves.toBe(2);
    expect(await t.store.get(late!)).toBeNull();
  });

  it("revokeSession(): true once for a session, false for an unknown or malformed id", async () => {
    const t = makeSessions();
    const { id } = await t.sessions.start("cus_1", t.request());
    await expect(t.sessions.revokeSession(id)).resolves.toBe(true);
    expect(t.events.at(-1)).toMatchObject({
      type: "session.destroyed",
      sessionId: id,
      reason: "revoked",
    });
    await expect(t.sessions.revokeSession(id)).resolves.toBe(false);
    const get = jest.spyOn(t.store, "get");
    await expect(t.sessions.revokeSession("not-an-id")).resolves.toBe(false);
    expect(get).not.toHaveBeenCalled();
    await expect(t.sessions.revokeSession(42 as unknown as string)).rejects.toBeInstanceOf(
      TypeError,
    );
  });

  it("list and revoke need a store with listByCustomer(): a TypeError", async () => {
    const t = makeSessions({ store: bareStore() });
    await expect(t.sessions.list("cus_1")).rejects.toBeInstanceOf(TypeError);
    await expect(t.sessions.revokeCustomer("cus_1", undefined)).rejects.toBeInstanceOf(TypeError);
  });
});

describe("replace() and claimOnce()", () => {
  it("replace() writes a live session's record and refuses a gone one", async () => {
    const t = makeSessions();
    const { id, record } = await t.sessions.start("cus_1", t.request());
    await expect(t.sessions.replace(id, { ...record, standIn: "s" })).resolves.toBe(true);
    expect((await t.store.get(id))?.standIn).toBe("s");
    await t.sessions.end(id, "cus_1", "logout");
    await expect(t.sessions.replace(id, record)).resolves.toBe(false);
    expect(await t.store.get(id)).toBeNull();
  });

  it("claimOnce(): true for the first caller of a name until its time, by the name's hash", async () => {
    const t = makeSessions();
    const consume = jest.spyOn(t.store, "consumeTokenId");
    await expect(t.sessions.claimOnce("refresh:x", START + MINUTE)).resolves.toBe(true);
    await expect(t.sessions.claimOnce("refresh:x", START + MINUTE)).resolves.toBe(false);
    await expect(t.sessions.claimOnce("refresh:y", START + MINUTE)).resolves.toBe(true);
    expect(consume).toHaveBeenCalledWith(sessionIdFor("refresh:x"), START + MINUTE);
  });

  it("claimOnce() without the store's consumeTokenId throws a TypeError", () => {
    const t = makeSessions({ store: bareStore() });
    expect(() => t.sessions.claimOnce("x", START)).toThrow(TypeError);
  });
});
