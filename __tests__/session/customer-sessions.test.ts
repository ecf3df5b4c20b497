/**
 * CustomerSessions on its own: a customer's sessions through the store's per-customer index:
 * listing the live ones, ending them all (twice listed, so a sign-in racing the first pass ends
 * too), and ending one by its store key.
 */
import { SessionStoreError } from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import { CustomerSessions } from "../../lib/session/customer-sessions.js";
import { GuardedStore } from "../../lib/session/guarded-store.js";
import { sessionIdFor } from "../../lib/session/session-token.js";
import type { EndReason } from "../../lib/session/sessions.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import type { SessionRecord, SessionStore } from "../../lib/stores/session-store.js";
import { createClock, START } from "../helpers.js";
import { bareStore } from "../support/fake-stores.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

const idOf = (name: string) => sessionIdFor(`session-token-${name}`);

/** A live record of `customerId` stored under `id`, last used `ago` ms before START. */
function record(id: string, customerId: string, ago = 0, patch: Partial<SessionRecord> = {}) {
  return {
    sid: id,
    customerId,
    createdAt: START - HOUR,
    lastSeenAt: START - ago,
    idleExpiresAt: START + HOUR,
    absoluteExpiresAt: START + 10 * HOUR,
    ...patch,
  } satisfies SessionRecord;
}

function build(given?: SessionStore) {
  const clock = createClock();
  const memory = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
  const store = given ?? memory;
  const events: SessionEvent[] = [];
  const report = (event: SessionEvent) => void events.push(event);
  const end = jest.fn(
    async (_id: string, _customerId: string | undefined, _reason: EndReason) => undefined,
  );
  const sessions = new CustomerSessions({
    store: new GuardedStore(store, 1000, report),
    report,
    now: clock.now,
    end,
  });
  /** Stores a session record of `customerId` under the id named `name`; resolves the id. */
  const add = async (name: string, customerId: string, patch: Partial<SessionRecord> = {}) => {
    const id = idOf(name);
    await memory.set(id, record(id, customerId, 0, patch));
    return id;
  };
  return { sessions, store: memory, clock, events, end, add };
}

afterEach(() => jest.restoreAllMocks());

describe("list()", () => {
  it("the customer's live sessions, newest use first, as metadata", async () => {
    const { sessions, add } = build();
    const older = await add("older", "cus_1", {
      lastSeenAt: START - 2 * MINUTE,
      userAgent: FIREFOX,
      token: "sealed-token-never-shown",
    });
    const newer = await add("newer", "cus_1", { lastSeenAt: START - MINUTE });
    await add("other", "cus_2");
    const list = await sessions.list("cus_1");
    expect(list.map((s) => s.sessionId)).toEqual([newer, older]);
    expect(list[1]).toEqual({
      sessionId: older,
      customerId: "cus_1",
      createdAt: new Date(START - HOUR),
      lastSeenAt: new Date(START - 2 * MINUTE),
      expiresAt: new Date(START + HOUR),
      idleExpiresAt: new Date(START + HOUR),
      absoluteExpiresAt: new Date(START + 10 * HOUR),
      userAgent: FIREFOX,
      device: "Firefox on Linux",
    });
    expect(JSON.stringify(list)).not.toContain("sealed-token-never-shown");
  });

  it("none for a customer without sessions", async () => {
    const { sessions } = build();
    await expect(sessions.list("cus_1")).resolves.toEqual([]);
  });

  const ID = idOf("listed");
  it.each<[string, unknown]>([
    ["a record that is not a session", { ...record(ID, "cus_1"), standIn: 7 }],
    ["a record written under another key", record(idOf("elsewhere"), "cus_1")],
    ["a record without its key", { ...record(ID, "cus_1"), sid: undefined }],
    ["a pending session (a registration, MFA)", record(ID, "cus_1", 0, { pending: true })],
    ["another customer's session", record(ID, "cus_2")],
    ["a session idle until now", record(ID, "cus_1", 0, { idleExpiresAt: START })],
    ["a session whose absolute end is now", record(ID, "cus_1", 0, { absoluteExpiresAt: START })],
  ])(
    "leaves out what the store lists but is not a live session of the customer: %s",
    async (_c, listed) => {
      const { sessions, store } = build();
      const live = idOf("live");
      jest.spyOn(store, "listByCustomer").mockResolvedValueOnce([
        [ID, listed as SessionRecord],
        [live, record(live, "cus_1")],
      ]);
      const list = await sessions.list("cus_1");
      expect(list.map((s) => s.sessionId)).toEqual([live]);
    },
  );

  it("keeps a session live until its earlier deadline, by the injected clock", async () => {
    const { sessions, store, clock } = build();
    const listed = record(ID, "cus_1", 0, { idleExpiresAt: START + 1 });
    jest.spyOn(store, "listByCustomer").mockResolvedValue([[ID, listed]]);
    expect((await sessions.list("cus_1")).map((s) => s.sessionId)).toEqual([ID]);
    clock.advance(1);
    await expect(sessions.list("cus_1")).resolves.toEqual([]);
  });
});

describe("revoke()", () => {
  it("ends every session of the customer but `except`, and reports one session.revoked with the count", async () => {
    const { sessions, store, add, events } = build();
    const keep = await add("keep", "cus_1");
    const one = await add("one", "cus_1");
    const two = await add("two", "cus_1");
    const other = await add("other", "cus_2");
    await expect(sessions.revoke("cus_1", keep)).resolves.toBe(2);
    for (const id of [one, two]) await expect(store.get(id)).resolves.toBeNull();
    for (const id of [keep, other]) await expect(store.get(id)).resolves.not.toBeNull();
    expect(events).toEqual([{ type: "session.revoked", customerId: "cus_1", count: 2 }]);
  });

  it("with a reason (an account change), reports each ended session as session.destroyed with it", async () => {
    const { sessions, add, events } = build();
    const one = await add("one", "cus_1");
    const two = await add("two", "cus_1");
    await expect(sessions.revoke("cus_1", undefined, "password_changed")).resolves.toBe(2);
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining(
        [one, two].map((sessionId) => ({
          type: "session.destroyed",
          sessionId,
          customerId: "cus_1",
          reason: "password_changed",
        })),
      ),
    );
  });

  it("ends the pending sessions the list leaves out", async () => {
    const { sessions, store, add } = build();
    const pending = await add("pending", "authid_1", { pending: true });
    await expect(sessions.revoke("authid_1", undefined, "password_changed")).resolves.toBe(1);
    await expect(store.get(pending)).resolves.toBeNull();
  });

  it("with nothing to end: 0, one session.revoked of count 0, or no report with a reason", async () => {
    const { sessions, events } = build();
    await expect(sessions.revoke("cus_1", undefined)).resolves.toBe(0);
    await expect(sessions.revoke("cus_1", undefined, "customer_deleted")).resolves.toBe(0);
    expect(events).toEqual([{ type: "session.revoked", customerId: "cus_1", count: 0 }]);
  });

  it("lists a second time: a sign-in written while the first list was read is ended too", async () => {
    const { sessions, store, add } = build();
    await add("first", "cus_1");
    const list = jest.spyOn(store, "listByCustomer");
    let late: string | undefined;
    list.mockImplementationOnce(async (customerId) => {
      const before = await store.listByCustomer(customerId);
      late = await add("late", "cus_1");
      return before;
    });
    await expect(sessions.revoke("cus_1", undefined)).resolves.toBe(2);
    await expect(store.get(late!)).resolves.toBeNull();
  });

  it("destroys each session once, though a lagging index lists it on both passes", async () => {
    const { sessions, store, add } = build();
    const one = await add("one", "cus_1");
    const two = await add("two", "cus_1");
    const listed = await store.listByCustomer("cus_1");
    jest.spyOn(store, "listByCustomer").mockResolvedValue(listed);
    const destroy = jest.spyOn(store, "destroy");
    await expect(sessions.revoke("cus_1", undefined)).resolves.toBe(2);
    expect(destroy.mock.calls.map(([id]) => id).sort()).toEqual([one, two].sort());
  });

  it("a store failure is a SessionStoreError, and nothing is reported as ended", async () => {
    const { sessions, store, add, events } = build();
    await add("one", "cus_1");
    jest.spyOn(store, "destroy").mockRejectedValueOnce(new Error("down"));
    const failed = sessions.revoke("cus_1", undefined, "customer_deleted");
    await expect(failed).rejects.toBeInstanceOf(SessionStoreError);
    await expect(failed).rejects.toMatchObject({ code: "BFF_STORE_FAILED", operation: "destroy" });
    expect(events.filter((e) => e.type !== "store.error")).toEqual([]);
  });
});

describe("a store without listByCustomer()", () => {
  it("cannot list or revoke: a TypeError naming the method", async () => {
    const { sessions } = build(bareStore());
    await expect(sessions.list("cus_1")).rejects.toThrow(TypeError);
    await expect(sessions.list("cus_1")).rejects.toThrow(/listByCustomer\(\)/);
    await expect(sessions.revoke("cus_1", undefined)).rejects.toThrow(TypeError);
  });

  it("a listing that fails is a SessionStoreError", async () => {
    const { sessions, store } = build();
    jest.spyOn(store, "listByCustomer").mockRejectedValueOnce(new Error("down"));
    await expect(sessions.list("cus_1")).rejects.toMatchObject({
      code: "BFF_STORE_FAILED",
      operation: "listByCustomer",
    });
  });
});

describe("revokeOne()", () => {
  it("ends the session through end(), as revoked, with its customer: true", async () => {
    const { sessions, add, end } = build();
    const id = await add("one", "cus_1");
    await expect(sessions.revokeOne(id)).resolves.toBe(true);
    expect(end).toHaveBeenCalledWith(id, "cus_1", "revoked");
  });

  it("false for a key the store does not have", async () => {
    const { sessions, end } = build();
    await expect(sessions.revokeOne(idOf("unknown"))).resolves.toBe(false);
    expect(end).not.toHaveBeenCalled();
  });

  it("false for a store that answers undefined", async () => {
    const { sessions, store, end } = build();
    jest.spyOn(store, "get").mockResolvedValueOnce(undefined as unknown as null);
    await expect(sessions.revokeOne(idOf("unknown"))).resolves.toBe(false);
    expect(end).not.toHaveBeenCalled();
  });

  it("ends a stored value that is no session record, naming no customer", async () => {
    const { sessions, store, end } = build();
    const id = idOf("corrupted");
    const corrupted = { customerId: "cus_1", createdAt: "yesterday" };
    jest.spyOn(store, "get").mockResolvedValueOnce(corrupted as unknown as SessionRecord);
    await expect(sessions.revokeOne(id)).resolves.toBe(true);
    expect(end).toHaveBeenCalledWith(id, undefined, "revoked");
  });

  it.each([
    ["a made-up word", "not-a-session-id"],
    ["42 characters", "A".repeat(42)],
    ["44 characters", "A".repeat(44)],
    ["base64, not base64url", `${"A".repeat(42)}+`],
    ["the empty string", ""],
  ])("false for %s, not shaped like a store key, without asking the store", async (_c, id) => {
    const { sessions, store } = build();
    const get = jest.spyOn(store, "get");
    await expect(sessions.revokeOne(id)).resolves.toBe(false);
    expect(get).not.toHaveBeenCalled();
  });

  it("a key that is not a string is a TypeError", async () => {
    const { sessions } = build();
    await expect(sessions.revokeOne(42 as unknown as string)).rejects.toThrow(TypeError);
  });

  it("a store failure is a SessionStoreError, and nothing ends", async () => {
    const { sessions, store, end } = build();
    jest.spyOn(store, "get").mockRejectedValueOnce(new Error("down"));
    await expect(sessions.revokeOne(idOf("one"))).rejects.toMatchObject({
      code: "BFF_STORE_FAILED",
      operation: "get",
    });
    expect(end).not.toHaveBeenCalled();
  });
});
