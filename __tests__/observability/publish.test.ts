/**
 * The diagnostics channels: what each session event publishes, the tracing channels around
 * backend calls, and that nothing is built or published while nobody subscribes.
 */
import diagnosticsChannel from "node:diagnostics_channel";
import { createReporter, type SessionEvent } from "../../lib/events.js";
import { silentLogger } from "../../lib/logger.js";
import {
  CHANNELS,
  type ForwardMessage,
  type RefreshMessage,
} from "../../lib/observability/channels.js";
import {
  isObserved,
  publishCartTransfer,
  publishEvent,
  traceForward,
  traceRefresh,
} from "../../lib/observability/publish.js";

const PLAIN = [
  CHANNELS.sessionStart,
  CHANNELS.sessionEnd,
  CHANNELS.signIn,
  CHANNELS.revocation,
  CHANNELS.tokenRefresh,
  CHANNELS.cartTransfer,
];

/** Subscribes to every plain channel for the test; returns what each received, by channel. */
function listen(): [string, unknown][] {
  const received: [string, unknown][] = [];
  for (const name of PLAIN) {
    const handler = (message: unknown) => received.push([name, message]);
    diagnosticsChannel.subscribe(name, handler);
    subscriptions.push(() => diagnosticsChannel.unsubscribe(name, handler));
  }
  return received;
}
let subscriptions: (() => void)[] = [];
afterEach(() => {
  for (const unsubscribe of subscriptions) unsubscribe();
  subscriptions = [];
  jest.restoreAllMocks();
});

const S = "sid-hash";
const C = "cus_1";

it.each<[SessionEvent, [string, unknown][]]>([
  [
    { type: "session.created", sessionId: S, customerId: C },
    [[CHANNELS.sessionStart, { sessionId: S, customerId: C }]],
  ],
  [
    { type: "session.destroyed", sessionId: S, customerId: C, reason: "logout" },
    [[CHANNELS.sessionEnd, { reason: "logout", count: 1, sessionId: S, customerId: C }]],
  ],
  [
    { type: "session.destroyed", sessionId: S, customerId: undefined, reason: "revoked" },
    [
      [CHANNELS.sessionEnd, { reason: "revoked", count: 1, sessionId: S, customerId: undefined }],
      [CHANNELS.revocation, { scope: "session", count: 1, sessionId: S, customerId: undefined }],
    ],
  ],
  [
    { type: "session.destroyed", sessionId: S, customerId: C, reason: "customer_changed" },
    [
      [CHANNELS.sessionEnd, { reason: "customer_changed", count: 1, sessionId: S, customerId: C }],
      [CHANNELS.tokenRefresh, { outcome: "refused" }],
    ],
  ],
  [
    { type: "session.expired", sessionId: S, customerId: C, kind: "absolute" },
    [[CHANNELS.sessionEnd, { reason: "absolute", count: 1, sessionId: S, customerId: C }]],
  ],
  [
    { type: "session.revoked", customerId: C, count: 3 },
    [
      [CHANNELS.sessionEnd, { reason: "revoked", count: 3, customerId: C }],
      [CHANNELS.revocation, { scope: "customer", count: 3, customerId: C }],
    ],
  ],
  // Nothing ended: no end message (the active gauge would not move), the revocation still shows.
  [
    { type: "session.revoked", customerId: C, count: 0 },
    [[CHANNELS.revocation, { scope: "customer", count: 0, customerId: C }]],
  ],
  [
    { type: "signin.succeeded", sessionId: S, customerId: C, pending: true },
    [[CHANNELS.signIn, { outcome: "allowed", pending: true, sessionId: S, customerId: C }]],
  ],
  [
    { type: "signin.failed", status: 401 },
    [[CHANNELS.signIn, { outcome: "refused", status: 401 }]],
  ],
  [
    { type: "signin.limited", by: "identifier", retryAfter: 900 },
    [[CHANNELS.signIn, { outcome: "limited", by: "identifier", retryAfter: 900 }]],
  ],
  [
    { type: "token.refreshed", sessionId: S, customerId: C },
    [[CHANNELS.tokenRefresh, { outcome: "refreshed" }]],
  ],
  [
    { type: "upstream.error", operation: "refresh", error: new Error("down") },
    [[CHANNELS.tokenRefresh, { outcome: "failed" }]],
  ],
  [{ type: "upstream.error", operation: "forward", status: 502, error: new Error("down") }, []],
  [{ type: "token.rejected", reason: "expired" }, []],
  [{ type: "store.error", operation: "get", error: new Error("down") }, []],
])("%o is published as %j", (event, expected) => {
  const received = listen();
  publishEvent(event);
  expect(received).toEqual(expected);
});

it("createReporter publishes every event, with or without onEvent", () => {
  const received = listen();
  createReporter(undefined, silentLogger, false)({ type: "signin.failed", status: 400 });
  const onEvent = jest.fn();
  createReporter(onEvent, silentLogger, false)({ type: "signin.failed", status: 401 });
  expect(received).toEqual([
    [CHANNELS.signIn, { outcome: "refused", status: 400 }],
    [CHANNELS.signIn, { outcome: "refused", status: 401 }],
  ]);
  expect(onEvent).toHaveBeenCalledWith({ type: "signin.failed", status: 401 });
});

it("publishCartTransfer builds its message only for a subscriber", () => {
  const factory = jest.fn(() => ({ outcome: "transferred" as const }));
  publishCartTransfer(factory);
  expect(factory).not.toHaveBeenCalled();
  const received = listen();
  publishCartTransfer(factory);
  expect(received).toEqual([[CHANNELS.cartTransfer, { outcome: "transferred" }]]);
});

describe("with no subscriber", () => {
  it("isObserved is false, and becomes true with one subscriber on a session channel", () => {
    expect(isObserved()).toBe(false);
    const handler = () => {};
    diagnosticsChannel.subscribe(CHANNELS.sessionEnd, handler);
    subscriptions.push(() => diagnosticsChannel.unsubscribe(CHANNELS.sessionEnd, handler));
    expect(isObserved()).toBe(true);
  });

  it("publishEvent publishes nothing", () => {
    const publish = PLAIN.map((name) => jest.spyOn(diagnosticsChannel.channel(name), "publish"));
    publishEvent({ type: "session.created", sessionId: S, customerId: C });
    publishEvent({ type: "session.revoked", customerId: C, count: 2 });
    publishEvent({ type: "signin.limited", by: "ip", retryAfter: 1 });
    publishEvent({ type: "token.refreshed", sessionId: S, customerId: C });
    for (const spy of publish) expect(spy).not.toHaveBeenCalled();
  });

  it("traceForward and traceRefresh never call the message factory and run the call bare", async () => {
    const forwardFactory = jest.fn((): ForwardMessage => ({
      method: "GET",
      family: "store",
      route: "/store",
      headers: {},
    }));
    const refreshFactory = jest.fn((): RefreshMessage => ({ headers: {} }));
    const forwardCall = jest.fn(async (message?: ForwardMessage) => message);
    const refreshCall = jest.fn(async (message?: RefreshMessage) => message);
    await expect(traceForward(forwardFactory, forwardCall)).resolves.toBeUndefined();
    await expect(traceRefresh(refreshFactory, refreshCall)).resolves.toBeUndefined();
    expect(forwardFactory).not.toHaveBeenCalled();
    expect(refreshFactory).not.toHaveBeenCalled();
    expect(forwardCall).toHaveBeenCalledWith();
    expect(refreshCall).toHaveBeenCalledWith();
  });
});

it("traceForward publishes start, end, asyncStart and asyncEnd around the call, or error", async () => {
  const seen: string[] = [];
  const handlers = Object.fromEntries(
    (["start", "end", "asyncStart", "asyncEnd", "error"] as const).map((phase) => [
      phase,
      (m: unknown) => seen.push(`${phase}:${(m as ForwardMessage).statusCode ?? "-"}`),
    ]),
  ) as unknown as diagnosticsChannel.TracingChannelSubscribers<ForwardMessage>;
  const channel = diagnosticsChannel.tracingChannel<unknown, ForwardMessage>(CHANNELS.forward);
  channel.subscribe(handlers);
  subscriptions.push(() => channel.unsubscribe(handlers));

  const message: ForwardMessage = {
    method: "GET",
    family: "store",
    route: "/store/products",
    headers: {},
  };
  const got = await traceForward(
    () => message,
    async (m) => {
      m!.statusCode = 200;
      return m;
    },
  );
  expect(got).toBe(message);
  await expect(
    traceForward(
      () => ({ ...message, statusCode: undefined }),
      async () => Promise.reject(new Error("socket hang up")),
    ),
  ).rejects.toThrow("socket hang up");
  expect(seen).toEqual([
    "start:-",
    "end:200",
    "asyncStart:200",
    "asyncEnd:200",
    "start:-",
    "end:-",
    "error:-",
    "asyncStart:-",
    "asyncEnd:-",
  ]);
});
