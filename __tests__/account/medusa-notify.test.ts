import { parseSignatureHeader, verifySignature } from "../../lib/account/signature.js";
import { BackChannelError, customerDeletedSubscriber, notifyBff } from "../../lib/medusa/index.js";

const SECRET = "back-channel-secret-shared-with-medusa-0123";
const URL_ = "http://bff.internal:3000/bff/back-channel";

/** A fetch that answers from a list and keeps what it was sent. */
function fakeFetch(...answers: Array<number | Error>) {
  const sent: Array<{ headers: Record<string, string>; body: string }> = [];
  const fn = jest.fn(async (_url: unknown, init?: RequestInit) => {
    sent.push({ headers: init!.headers as Record<string, string>, body: String(init!.body) });
    const next = answers.shift() ?? 200;
    if (next instanceof Error) throw next;
    return new Response(JSON.stringify({ ended: 2 }), { status: next });
  });
  return { fetch: fn as unknown as typeof fetch, sent, calls: fn };
}

describe("notifyBff", () => {
  test("signs method, path, timestamp and body with the secret", async () => {
    const { fetch, sent } = fakeFetch(200);
    const message = { type: "customer.deleted", customer_id: "cus_1" } as const;
    expect(
      await notifyBff({ url: URL_, secret: SECRET, fetch, now: () => 1_700_000_000_000 }, message),
    ).toEqual({ ended: 2 });
    const signed = parseSignatureHeader(sent[0]!.headers["bff-signature"]);
    expect(signed?.timestamp).toBe(1_700_000_000);
    expect(sent[0]!.body).toBe(JSON.stringify(message));
    const parts = {
      method: "POST",
      path: "/bff/back-channel",
      timestamp: 1_700_000_000,
      body: sent[0]!.body,
    };
    expect(verifySignature([SECRET], signed!.signatures, parts)).toBeDefined();
    expect(verifySignature(["x".repeat(40)], signed!.signatures, parts)).toBeUndefined();
    expect(
      verifySignature([SECRET], signed!.signatures, { ...parts, path: "/other" }),
    ).toBeUndefined();
  });

  test("tries again when the BFF cannot be reached or answers 5xx, each attempt signed anew", async () => {
    let now = 1_700_000_000_000;
    const { fetch, sent } = fakeFetch(new TypeError("fetch failed"), 503, 200);
    await notifyBff(
      { url: URL_, secret: SECRET, fetch, now: () => (now += 1000) },
      { type: "customer.deleted", customer_id: "cus_1" },
    );
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.headers["bff-signature"])).size).toBe(3);
  });

  test("does not try again after a 401 (a wrong secret or clock), and says so", async () => {
    const { fetch, calls } = fakeFetch(401, 200);
    const sending = notifyBff(
      { url: URL_, secret: SECRET, fetch },
      { type: "customer.deleted", customer_id: "c" },
    );
    await expect(sending).rejects.toMatchObject({ code: "BFF_BACK_CHANNEL_FAILED", status: 401 });
    await expect(sending).rejects.toBeInstanceOf(BackChannelError);
    expect(calls).toHaveBeenCalledTimes(1);
  });

  test.each([
    [{ url: "not a url", secret: SECRET }, /option "url"/],
    [{ url: "ftp://bff/x", secret: SECRET }, /option "url"/],
    [{ url: URL_, secret: "short" }, /option "secret"/],
    [{ url: URL_, secret: SECRET, attempts: 0 }, /option "attempts"/],
    [{ url: URL_, secret: SECRET, timeout: -1 }, /option "timeout"/],
  ])("a bad option throws a TypeError naming it (%p)", (options, message) => {
    expect(() => customerDeletedSubscriber(options)).toThrow(TypeError);
    expect(() => customerDeletedSubscriber(options)).toThrow(message);
  });
});

describe("customerDeletedSubscriber", () => {
  test("logs through Medusa's logger and throws when the BFF refuses", async () => {
    const { fetch } = fakeFetch(401);
    const error = jest.fn();
    const handler = customerDeletedSubscriber({ url: URL_, secret: SECRET, fetch });
    const container = { resolve: (key: string) => (key === "logger" ? { error } : undefined) };
    await expect(
      handler({ event: { name: "customer.deleted", data: { id: "cus_9" } }, container }),
    ).rejects.toBeInstanceOf(BackChannelError);
    expect(error).toHaveBeenCalledWith(expect.stringContaining("cus_9"));
  });
});
