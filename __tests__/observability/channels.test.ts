/**
 * The channels on their own: their names are a public contract (the ones docs/observability.md
 * lists), each exported channel is Node's channel of that name, nothing listens until an app
 * subscribes, nothing is published while nobody does, and no message carries a field beyond
 * what the docs list for its channel.
 */
import diagnosticsChannel, { type Channel } from "node:diagnostics_channel";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { DestroyReason, SessionEvent } from "../../lib/events.js";
import {
  CHANNELS,
  cartTransferChannel,
  forwardChannel,
  refreshChannel,
  revocationChannel,
  sessionEndChannel,
  sessionStartChannel,
  signInChannel,
  tokenRefreshChannel,
  type ForwardMessage,
  type RefreshMessage,
} from "../../lib/observability/channels.js";
import { publishEvent, traceForward, traceRefresh } from "../../lib/observability/publish.js";

const PLAIN: Array<[string, Channel]> = [
  [CHANNELS.sessionStart, sessionStartChannel],
  [CHANNELS.sessionEnd, sessionEndChannel],
  [CHANNELS.signIn, signInChannel],
  [CHANNELS.revocation, revocationChannel],
  [CHANNELS.tokenRefresh, tokenRefreshChannel],
  [CHANNELS.cartTransfer, cartTransferChannel],
];
const TRACING = [
  [CHANNELS.forward, forwardChannel],
  [CHANNELS.refresh, refreshChannel],
] as const;
const PHASES = ["start", "end", "asyncStart", "asyncEnd", "error"] as const;

const S = "c2Vzc2lvbi1zdG9yZS1rZXktaGFzaC00My1jaGFyYWN0ZXJz";
const C = "cus_123";
const REASONS: DestroyReason[] = [
  "logout",
  "replaced",
  "customer_gone",
  "limit",
  "revoked",
  "upstream_unauthorized",
  "customer_changed",
  "password_changed",
  "customer_deleted",
];
/** One event of every type (and every reason a session is destroyed for). */
const EVERY_EVENT: SessionEvent[] = [
  { type: "session.created", sessionId: S, customerId: C },
  ...REASONS.map((reason): SessionEvent => ({
    type: "session.destroyed",
    sessionId: S,
    customerId: C,
    reason,
  })),
  { type: "session.revoked", customerId: C, count: 2 },
  { type: "session.revoked", customerId: C, count: 0 },
  { type: "session.expired", sessionId: S, customerId: C, kind: "idle" },
  { type: "session.expired", sessionId: S, customerId: C, kind: "absolute" },
  { type: "token.rejected", reason: "expired" },
  { type: "csrf.rejected", method: "POST", detail: "origin https://evil.example" },
  { type: "store.error", operation: "get", error: new Error("down") },
  { type: "customer.error", error: new Error("down") },
  { type: "token.refreshed", sessionId: S, customerId: C },
  { type: "upstream.error", operation: "forward", status: 502, error: new Error("down") },
  { type: "upstream.error", operation: "refresh", error: new Error("down") },
  { type: "upstream.error", operation: "sign-in", status: 504, error: new Error("down") },
  { type: "signin.succeeded", sessionId: S, customerId: C, pending: false },
  { type: "signin.failed", status: 401 },
  { type: "signin.limited", by: "ip", retryAfter: 60 },
  { type: "cart.transferred", sessionId: S, customerId: C },
  { type: "cart.transfer_failed", sessionId: S, customerId: C, reason: "another_customer" },
  { type: "cart.restored", sessionId: S, customerId: C },
];

/** Each channel docs/observability.md lists, with the fields its messages may have. */
function documentedChannels(): Map<string, Set<string>> {
  const docs = readFileSync(path.join(__dirname, "../../docs/observability.md"), "utf8");
  const channels = new Map<string, Set<string>>();
  for (const line of docs.split("\n")) {
    const name = /^\| `(bff-session:[\w:]+)`/.exec(line)?.[1];
    if (name === undefined) continue;
    const fields = new Set<string>();
    for (const [shape] of line.matchAll(/`\{[^`]*\}`/g))
      for (const [, field] of shape.matchAll(/(?<![\w"])(\w+)\??(?=\s*[:,}])/g)) fields.add(field!);
    channels.set(name, fields);
  }
  return channels;
}

let subscriptions: Array<() => void> = [];
afterEach(() => {
  for (const unsubscribe of subscriptions) unsubscribe();
  subscriptions = [];
  jest.restoreAllMocks();
});

function subscribe(name: string, handler: (message: unknown, name: string | symbol) => void) {
  diagnosticsChannel.subscribe(name, handler);
  subscriptions.push(() => diagnosticsChannel.unsubscribe(name, handler));
}

it("the names are the public ones, and cannot be changed at run time", () => {
  expect(CHANNELS).toEqual({
    sessionStart: "bff-session:session:start",
    sessionEnd: "bff-session:session:end",
    signIn: "bff-session:signin",
    revocation: "bff-session:revocation",
    tokenRefresh: "bff-session:token:refresh",
    cartTransfer: "bff-session:cart:transfer",
    forward: "bff-session:forward",
    refresh: "bff-session:refresh",
  });
  expect(Object.isFrozen(CHANNELS)).toBe(true);
});

it("docs/observability.md documents every channel, and no other", () => {
  expect([...documentedChannels().keys()].sort()).toEqual(Object.values(CHANNELS).sort());
});

it.each(PLAIN)(
  "%s is Node's channel of that name: a subscriber by name hears it",
  (name, channel) => {
    expect(channel).toBe(diagnosticsChannel.channel(name));
    expect(channel.hasSubscribers).toBe(false);
    const handler = jest.fn();
    subscribe(name, handler);
    expect(channel.hasSubscribers).toBe(true);
    channel.publish({ count: 1 });
    expect(handler).toHaveBeenCalledWith({ count: 1 }, name);
  },
);

it.each(TRACING)(
  "%s is a tracing channel over tracing:<name>:start, end, asyncStart, asyncEnd and error",
  (name, channel) => {
    for (const phase of PHASES)
      expect(channel[phase]).toBe(diagnosticsChannel.channel(`tracing:${name}:${phase}`));
    expect(channel.hasSubscribers).toBe(false);
    subscribe(`tracing:${name}:asyncEnd`, () => {});
    expect(channel.hasSubscribers).toBe(true);
  },
);

it("with no subscriber, no event is published on any channel", () => {
  const publish = PLAIN.map(([, channel]) => jest.spyOn(channel, "publish"));
  for (const event of EVERY_EVENT) publishEvent(event);
  for (const spy of publish) expect(spy).not.toHaveBeenCalled();
});

it("every message carries only the fields docs/observability.md lists for its channel", () => {
  const documented = documentedChannels();
  const heard = new Map<string, Array<Record<string, unknown>>>();
  for (const [name] of PLAIN) {
    heard.set(name, []);
    subscribe(name, (message) => heard.get(name)!.push(message as Record<string, unknown>));
  }
  for (const event of EVERY_EVENT) publishEvent(event);
  for (const [name, messages] of heard) {
    expect([name, messages.length > 0]).toEqual([name, true]);
    for (const message of messages) {
      const fields = Object.keys(message).filter((key) => message[key] !== undefined);
      expect([name, fields.filter((field) => !documented.get(name)!.has(field))]).toEqual([
        name,
        [],
      ]);
    }
  }
});

it("a traced call's context never carries what the call resolved (an answer, a token)", async () => {
  const contexts = new Map<string, object>();
  for (const [name, channel] of TRACING) {
    const handlers = {
      start() {},
      end() {},
      asyncStart() {},
      asyncEnd: (message: unknown) => void contexts.set(name, message as object),
      error() {},
    };
    channel.subscribe(handlers);
    subscriptions.push(() => channel.unsubscribe(handlers));
  }
  const token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXNfMTIzIn0.c2lnbmF0dXJl";
  const forward: ForwardMessage = { method: "POST", family: "auth", route: "/auth/x", headers: {} };
  await expect(
    traceForward(
      () => forward,
      async () => ({ token }),
    ),
  ).resolves.toEqual({ token });
  const refresh = (): RefreshMessage => ({ headers: {} });
  await expect(traceRefresh(refresh, async () => token)).resolves.toBe(token);

  const documented = documentedChannels();
  for (const [name] of TRACING) {
    const context = contexts.get(name) as Record<string, unknown>;
    expect(JSON.stringify(context)).not.toContain(token);
    const fields = Object.keys(context).filter((key) => context[key] !== undefined);
    expect(fields.filter((field) => !documented.get(name)!.has(field))).toEqual([]);
  }
});
