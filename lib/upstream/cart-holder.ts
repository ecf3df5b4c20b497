import type { Request, Response } from "express";
import type { ActingSession } from "./acting-session.js";
import type { CartOwner } from "./cart-transfer.js";
import type { UpstreamClient } from "./client.js";

/** A customer session just started, as the cart rules need it. */
export interface CartSignIn {
  sessionId: string;
  customerId: string;
  /** The customer's token, for the transfer. */
  token: string;
  /** The session's absolute deadline: the browser's cart is remembered as long. */
  until: number;
}

/** What the session routes call at sign-in and sign-out (`RouteDeps.cart`, with `upstream`). */
export interface CartHooks {
  /** A customer session started: the guest cart moves to the customer, or theirs comes back. */
  signedIn(req: Request, res: Response, session: CartSignIn): Promise<void>;
  /** The browser signed out: its cart is forgotten here, not for the customer. */
  signedOut(req: Request, res: Response, sessionId: string | undefined): Promise<void>;
}

/** Whose cart a request reaches: the browser's guest cookie, or its signed-in session. */
export type Holder =
  { kind: "guest" } | { kind: "session"; sessionId: string; customerId: string; until: number };

/** A pending session (registration, MFA) browses as a guest, and so holds the guest's cart. */
export function holderOf(session: ActingSession | undefined): Holder {
  if (session === undefined || session.record.pending === true) return { kind: "guest" };
  const { ref, record } = session;
  return {
    kind: "session",
    sessionId: ref.id,
    customerId: record.customerId,
    until: record.absoluteExpiresAt,
  };
}

export function ownerOf(
  req: Request,
  client: UpstreamClient,
  { customerId, token }: { customerId: string; token: string },
): CartOwner {
  const browserKey = req.headers["x-publishable-api-key"];
  const publishableKey =
    client.options.publishableKey ?? (typeof browserKey === "string" ? browserKey : undefined);
  return { customerId, token, publishableKey };
}
