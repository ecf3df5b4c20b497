/**
 * The identity records on their own: identifier → auth identity → customer, kept as small
 * records keyed by an HMAC of the exact identifier and its provider, living as long as a session
 * begun at that sign-in can, and never holding the identifier itself.
 */
import { SessionStoreError } from "../../lib/errors/errors.js";
import type { SessionEvent } from "../../lib/events.js";
import { AccountIdentities } from "../../lib/account/identities.js";
import { GuardedStore } from "../../lib/session/guarded-store.js";
import { MemorySessionStore } from "../../lib/stores/memory.js";
import { createClock } from "../helpers.js";

const SECRET = "identity-records-secret-of-32-chars!!";
const LIFETIME = 10 * 3_600_000;
const EMAIL = "jane@example.com";
const JANE = { provider: "emailpass", identifier: EMAIL, authIdentityId: "authid_1" };

function build(secret: string | Buffer = SECRET) {
  const clock = createClock();
  const store = new MemorySessionStore({ now: clock.now, sweepInterval: 0 });
  const events: SessionEvent[] = [];
  const report = (event: SessionEvent) => void events.push(event);
  const guarded = new GuardedStore(store, 1000, report);
  const deps = { store: guarded, secret, lifetime: LIFETIME, now: clock.now, report };
  const identities = new AccountIdentities(deps);
  /** Another instance on the same store, with a secret of its own choosing. */
  const sharing = (other: string | Buffer) => new AccountIdentities({ ...deps, secret: other });
  return { identities, sharing, store, clock, events };
}

it("finds the auth identity and the customer last seen signing in with an identifier", async () => {
  const { identities } = build();
  await identities.signedIn({ ...JANE, customerId: "cus_123" });
  await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
    authIdentityId: "authid_1",
    customerId: "cus_123",
  });
});

it("finds nothing for an identifier never seen", async () => {
  const { identities } = build();
  await identities.signedIn({ ...JANE, customerId: "cus_123" });
  await expect(identities.find("emailpass", "john@example.com")).resolves.toBeUndefined();
});

it.each([["JANE@example.com"], [` ${EMAIL}`], [`${EMAIL} `]])(
  "keys the exact identifier: %p is another account",
  async (lookAlike) => {
    const { identities } = build();
    await identities.signedIn({ ...JANE, customerId: "cus_123" });
    await expect(identities.find("emailpass", lookAlike)).resolves.toBeUndefined();
  },
);

it("keys the provider too: the same identifier at another provider is another identity", async () => {
  const { identities } = build();
  await identities.signedIn({ ...JANE, customerId: "cus_123" });
  await expect(identities.find("phonepass", EMAIL)).resolves.toBeUndefined();
  await identities.signedIn({
    ...JANE,
    provider: "phonepass",
    authIdentityId: "authid_2",
    customerId: "cus_9",
  });
  await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
    authIdentityId: "authid_1",
    customerId: "cus_123",
  });
});

it("stores two records keyed by an HMAC and valued by ids: never the identifier", async () => {
  const { identities, store } = build();
  const setRecord = jest.spyOn(store, "setRecord");
  await identities.signedIn({ ...JANE, customerId: "cus_123" });
  expect(setRecord).toHaveBeenCalledTimes(2);
  const written = setRecord.mock.calls.map(([key, value]) => [key, value]);
  expect(written).toEqual(
    expect.arrayContaining([
      [expect.stringMatching(/^account:id:[A-Za-z0-9_-]{43}$/), "authid_1"],
      [expect.stringMatching(/^account:ai:[A-Za-z0-9_-]{43}$/), "cus_123"],
    ]),
  );
  expect(JSON.stringify(written)).not.toMatch(/jane|example|emailpass/i);
});

it("an instance with the same secret reads the records; one with another secret cannot", async () => {
  const { identities, sharing } = build();
  await identities.signedIn({ ...JANE, customerId: "cus_123" });
  await expect(sharing(Buffer.from(SECRET)).find("emailpass", EMAIL)).resolves.toEqual({
    authIdentityId: "authid_1",
    customerId: "cus_123",
  });
  await expect(
    sharing("another-secret-of-at-least-32-chars!!").find("emailpass", EMAIL),
  ).resolves.toBeUndefined();
});

describe("how long the records live", () => {
  it("as long as a session begun at that sign-in can, by the injected clock", async () => {
    const { identities, store, clock } = build();
    const setRecord = jest.spyOn(store, "setRecord");
    await identities.signedIn({ ...JANE, customerId: "cus_123" });
    for (const [, , until] of setRecord.mock.calls) expect(until).toBe(clock.now() + LIFETIME);
    clock.advance(LIFETIME - 1);
    await expect(identities.find("emailpass", EMAIL)).resolves.toBeDefined();
    clock.advance(1);
    await expect(identities.find("emailpass", EMAIL)).resolves.toBeUndefined();
  });

  it("renewed at each sign-in", async () => {
    const { identities, clock } = build();
    await identities.signedIn({ ...JANE, customerId: "cus_123" });
    clock.advance(LIFETIME - 1000);
    await identities.signedIn({ ...JANE, customerId: "cus_123" });
    clock.advance(LIFETIME - 1000);
    await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: "cus_123",
    });
  });
});

describe("what a sign-in's token names", () => {
  it("a token naming no customer yet (registration, MFA) keeps the identity, without a customer", async () => {
    const { identities, store } = build();
    const setRecord = jest.spyOn(store, "setRecord");
    await identities.signedIn({ ...JANE, customerId: "" });
    expect(setRecord).toHaveBeenCalledTimes(1);
    await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: undefined,
    });
  });

  it("a step without the identifier (an MFA verification) completes the identity's customer", async () => {
    const { identities, store } = build();
    await identities.signedIn({ ...JANE, customerId: "" });
    const setRecord = jest.spyOn(store, "setRecord");
    await identities.signedIn({ ...JANE, identifier: undefined, customerId: "cus_123" });
    expect(setRecord).toHaveBeenCalledTimes(1);
    await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_1",
      customerId: "cus_123",
    });
  });

  it("a later sign-in with another identity for the identifier replaces the earlier one", async () => {
    const { identities } = build();
    await identities.signedIn({ ...JANE, customerId: "cus_123" });
    await identities.signedIn({ ...JANE, authIdentityId: "authid_2", customerId: "cus_456" });
    await expect(identities.find("emailpass", EMAIL)).resolves.toEqual({
      authIdentityId: "authid_2",
      customerId: "cus_456",
    });
  });

  it.each([[undefined], [""]])(
    "a token without an auth identity (%p) writes nothing",
    async (authIdentityId) => {
      const { identities, store } = build();
      const setRecord = jest.spyOn(store, "setRecord");
      await identities.signedIn({ ...JANE, authIdentityId, customerId: "cus_123" });
      expect(setRecord).not.toHaveBeenCalled();
      await expect(identities.find("emailpass", EMAIL)).resolves.toBeUndefined();
    },
  );
});

describe("a failing store", () => {
  it("signedIn() resolves all the same (the sign-in succeeded already); the store reports it", async () => {
    const { identities, store, events } = build();
    jest.spyOn(store, "setRecord").mockRejectedValueOnce(new Error("down"));
    await expect(identities.signedIn({ ...JANE, customerId: "cus_123" })).resolves.toBeUndefined();
    expect(events).toEqual([
      { type: "store.error", operation: "setRecord", error: new Error("down") },
    ]);
  });

  it("find() rejects with SessionStoreError: the caller decides", async () => {
    const { identities, store } = build();
    jest.spyOn(store, "getRecord").mockRejectedValueOnce(new Error("down"));
    const failed = identities.find("emailpass", EMAIL);
    await expect(failed).rejects.toBeInstanceOf(SessionStoreError);
    await expect(failed).rejects.toMatchObject({
      code: "BFF_STORE_FAILED",
      operation: "getRecord",
    });
  });
});

describe("password changes", () => {
  it("remembers when an account's password changed, under each of its names, for the window given", async () => {
    const { identities, clock, store } = build();
    const setRecord = jest.spyOn(store, "setRecord");
    await identities.markChanged({ provider: "emailpass", identifier: EMAIL }, 60_000);
    const at = clock.now();
    expect(setRecord).toHaveBeenCalledWith(
      expect.stringMatching(/^account:changed:id:[A-Za-z0-9_-]{43}$/),
      String(at),
      at + 60_000,
    );
    expect(JSON.stringify(setRecord.mock.calls)).not.toMatch(/jane|example/);
    // A sign-in names its identifier, its identity, or both: any one marked is enough.
    const both = { authIdentityId: "authid_1", provider: "emailpass", identifier: EMAIL };
    expect(await identities.changedAt(both)).toBe(at);
    expect(await identities.changedAt({ authIdentityId: "authid_1" })).toBeUndefined();
    expect(await identities.changedAt({ provider: "google", identifier: EMAIL })).toBeUndefined();
    clock.advance(10);
    await identities.markChanged({ authIdentityId: "authid_1" }, 60_000);
    expect(await identities.changedAt({ authIdentityId: "authid_1" })).toBe(at + 10);
    expect(await identities.changedAt(both)).toBe(at + 10);
    clock.advance(60_000);
    expect(await identities.changedAt(both)).toBeUndefined();
  });
});
