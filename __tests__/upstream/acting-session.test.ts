import { NoSessionError } from "../../lib/errors/errors.js";
import type { CustomerTokens } from "../../lib/routes/deps.js";
import { actingSession } from "../../lib/upstream/acting-session.js";
import { makeSessions } from "../support/sessions.js";

function tokens(): CustomerTokens & { asKept: jest.Mock; forUse: jest.Mock } {
  return { asKept: jest.fn(() => "kept"), forUse: jest.fn(async () => "fresh") };
}

it("the session and its refreshed token when refresh is asked", async () => {
  const t = makeSessions();
  const { token, id } = await t.sessions.start("cus_1", t.request());
  const customerTokens = tokens();
  const acting = await actingSession({ sessions: t.sessions, customerTokens }, t.request(token), {
    refresh: true,
  });
  expect(acting).toMatchObject({
    ref: { token, id },
    token: "fresh",
    record: { customerId: "cus_1" },
  });
  expect(customerTokens.asKept).not.toHaveBeenCalled();
});

it("the kept token without refresh, and always for a pending session", async () => {
  const t = makeSessions();
  const live = await t.sessions.start("cus_1", t.request());
  const pending = await t.sessions.start("authid_1", t.request(), { pending: true });
  const customerTokens = tokens();
  const deps = { sessions: t.sessions, customerTokens };
  expect((await actingSession(deps, t.request(live.token), { refresh: false })).token).toBe("kept");
  expect((await actingSession(deps, t.request(pending.token), { refresh: true })).token).toBe(
    "kept",
  );
  expect(customerTokens.forUse).not.toHaveBeenCalled();
});

it("no cookie: NoSessionError, no cookie to clear", async () => {
  const t = makeSessions();
  const error = await actingSession(
    { sessions: t.sessions, customerTokens: tokens() },
    t.request(),
    { refresh: true },
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NoSessionError);
  expect(error).toMatchObject({ code: "BFF_NO_SESSION", clearCookie: false });
});

it("a cookie of no live session, or a session without a token: NoSessionError clearing the cookie", async () => {
  const t = makeSessions();
  const deps = { sessions: t.sessions, customerTokens: tokens() };
  const unknown = await actingSession(deps, t.request("Z".repeat(43)), { refresh: true }).catch(
    (e: unknown) => e,
  );
  expect(unknown).toMatchObject({ code: "BFF_NO_SESSION", clearCookie: true });
  const { token } = await t.sessions.start("cus_1", t.request());
  deps.customerTokens.forUse.mockResolvedValueOnce(undefined);
  const ended = await actingSession(deps, t.request(token), { refresh: true }).catch(
    (e: unknown) => e,
  );
  expect(ended).toMatchObject({ code: "BFF_NO_SESSION", clearCookie: true });
});
