/**
 * Whose cart a request reaches, and for whom a cart is settled at sign-in: no session or a
 * pending one (registration, MFA) holds the guest's cart; a live session holds its own until its
 * absolute deadline. The publishable key of the calls made as the customer is the configured
 * one, else the browser's.
 */
import type { Request } from "express";
import type { SessionRecord } from "../../lib/stores/session-store.js";
import type { ActingSession } from "../../lib/upstream/acting-session.js";
import { holderOf, ownerOf } from "../../lib/upstream/cart-holder.js";
import type { UpstreamClient } from "../../lib/upstream/client.js";
import { START } from "../helpers.js";

function acting(record: Partial<SessionRecord> = {}): ActingSession {
  return {
    ref: { token: "A".repeat(43), id: "sid_1" },
    record: {
      customerId: "cus_1",
      createdAt: START,
      lastSeenAt: START,
      idleExpiresAt: START + 1800_000,
      absoluteExpiresAt: START + 36_000_000,
      ...record,
    },
    token: "eyJ.customer.token",
  };
}

const client = (publishableKey?: string) => ({ options: { publishableKey } }) as UpstreamClient;
const req = (headers: Record<string, string | string[]> = {}) =>
  ({ headers }) as unknown as Request;
const who = { customerId: "cus_1", token: "eyJ.customer.token" };

describe("holderOf", () => {
  it("a request without a session holds the guest's cart", () => {
    expect(holderOf(undefined)).toEqual({ kind: "guest" });
  });

  it("a pending session (registration, MFA) holds the guest's cart", () => {
    expect(holderOf(acting({ pending: true, customerId: "authid_1" }))).toEqual({ kind: "guest" });
  });

  it.each([
    ["a session", {}],
    ["a session no longer pending", { pending: false }],
  ])("%s holds its own cart until its absolute deadline", (_name, record) => {
    expect(holderOf(acting(record))).toEqual({
      kind: "session",
      sessionId: "sid_1",
      customerId: "cus_1",
      until: START + 36_000_000,
    });
  });
});

describe("ownerOf", () => {
  it("settles the cart for the customer and their token, with the configured publishable key", () => {
    expect(ownerOf(req({ "x-publishable-api-key": "pk_browser" }), client("pk_bff"), who)).toEqual({
      customerId: "cus_1",
      token: "eyJ.customer.token",
      publishableKey: "pk_bff",
    });
  });

  it("takes the browser's publishable key when none is configured", () => {
    expect(ownerOf(req({ "x-publishable-api-key": "pk_browser" }), client(), who)).toEqual({
      ...who,
      publishableKey: "pk_browser",
    });
  });

  it.each<[string, Record<string, string | string[]>]>([
    ["no publishable key header", {}],
    ["a header that is not one string", { "x-publishable-api-key": ["pk_a", "pk_b"] }],
  ])("has no publishable key with none configured and %s", (_name, headers) => {
    expect(ownerOf(req(headers), client(), who)).toEqual({ ...who, publishableKey: undefined });
  });
});
