import type { Request, Response } from "express";
import { StoreApiError } from "../errors/store-api-error.js";
import { refuseCrossSite } from "../http/csrf.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { ResolvedOptions } from "../options/types.js";
import type { ActingSession } from "./acting-session.js";
import type { CartCookie } from "./cart-cookie.js";
import { CART_ID } from "./cart-cookie.js";
import type { CartMemory } from "./cart-memory.js";
import { withCartId, type CartPath } from "./cart-path.js";
import {
  cartOf,
  isRestorable,
  parseJson,
  transferGuestCart,
  type CartOwner,
} from "./cart-transfer.js";
import type { UpstreamClient } from "./client.js";
import { holderOf, ownerOf, type CartHooks, type CartSignIn, type Holder } from "./cart-holder.js";

export type { CartHooks, CartSignIn } from "./cart-holder.js";

/** A cart request after the rules: the path to forward, and what its answer may change. */
export interface CartRequest {
  path: string;
  holder: Holder;
  /** `POST /store/carts`: the cart it creates becomes the browser's. */
  creates: boolean;
  /** `POST /store/carts/{id}/complete` of the held cart: an order forgets it. */
  completes: string | undefined;
}

/** What the cart rules are built from. */
export interface CartsDeps {
  client: UpstreamClient;
  cookie: CartCookie;
  memory: CartMemory;
  guard: boolean;
  /** The cross-site checks of cookie-authenticated writes, for a guest's cart writes too. */
  csrf: ResolvedOptions["csrf"];
  report: (event: SessionEvent) => void;
  logger: Logger;
}

/**
 * The cart each browser holds through `storeApi()` (api.md, "The cart"): remembered when
 * created, named by `current`, the only one reachable (the guard), moved to the customer at
 * sign-in, forgotten at sign-out and once it is an order.
 */
export class Carts implements CartHooks {
  constructor(private readonly deps: CartsDeps) {}

  /**
   * Judges a request under `/store/carts` before it is forwarded: `current` becomes the held
   * cart's id; another id than the held one is 404 (the guard). A guest's cart cookie is a
   * credential as a session cookie is, so a guest's writes pass the same cross-site checks (a
   * signed-in browser's have passed them already): a page on a sibling subdomain can neither
   * change the guest's cart nor plant one of its own making. A signed-in browser that still
   * carries a guest cart cookie (it was set while the sign-in ran) settles it first.
   */
  async judge(
    req: Request,
    res: Response,
    target: CartPath,
    session: ActingSession | undefined,
  ): Promise<CartRequest> {
    const { cookie, memory, guard } = this.deps;
    const holder = holderOf(session);
    if (holder.kind === "guest") refuseCrossSite(req, this.deps.csrf);
    let held: string | undefined;
    if (holder.kind === "session") {
      if (cookie.isPresent(req)) await this.settleLateGuest(req, res, holder, session!.token);
      held = await memory.ofSession(holder.sessionId);
    } else {
      held = cookie.read(req);
      // Moved to a customer at a sign-in: the guest cookie (a copy of it) holds it no longer.
      if (held !== undefined && (await memory.wasTransferred(held))) {
        cookie.clear(res);
        held = undefined;
      }
    }
    const creates = target.id === undefined && req.method === "POST";
    if (target.id === undefined)
      return {
        path: target.rest === "" ? "/store/carts" : `/store/carts${target.rest}`,
        holder,
        creates,
        completes: undefined,
      };
    const id = target.id === "current" ? held : target.id;
    if (id === undefined)
      throw new StoreApiError("not_found", "No cart is remembered for this browser.");
    if (guard && id !== held) throw new StoreApiError("not_found", "Cart was not found.");
    const completes =
      id === held && req.method === "POST" && /^\/complete(\?|$)/i.test(target.rest)
        ? id
        : undefined;
    return { path: withCartId(target, encodeURIComponent(id)), holder, creates, completes };
  }

  /**
   * After the backend answered a cart request in full: a created cart is remembered for this
   * browser; a completed one (`"type": "order"`) forgotten for the browser and the customer.
   */
  async answered(res: Response, request: CartRequest, status: number, body: Buffer): Promise<void> {
    if (status < 200 || status >= 300) return;
    if (request.creates) {
      const id = cartOf(body)?.id;
      if (typeof id === "string" && CART_ID.test(id)) await this.remember(res, request.holder, id);
      else
        this.deps.logger.warn(
          { status },
          "bff-session: POST /store/carts answered without a cart id; not remembered",
        );
    } else if (request.completes !== undefined) {
      const answer = parseJson(body) as { type?: unknown } | undefined;
      if (answer?.type === "order") await this.forget(res, request.holder, request.completes);
    }
  }

  async signedIn(req: Request, res: Response, session: CartSignIn): Promise<void> {
    const { cookie, memory, client, report, logger } = this.deps;
    const holder: Holder = { kind: "session", ...session };
    const owner = ownerOf(req, client, session);
    const guest = cookie.read(req);
    if (guest !== undefined || (cookie.isPresent(req) && !cookie.isCrossSite(req)))
      cookie.clear(res);
    try {
      const remembered = await memory.ofCustomer(session.customerId);
      if (guest !== undefined && guest !== remembered) {
        const moved = await this.transfer(holder, owner, guest, remembered !== undefined);
        if (moved) return;
      }
      if (remembered === undefined) return;
      const restorable = await isRestorable(client, remembered, owner);
      if (restorable === true) {
        await memory.setSession(session.sessionId, remembered, session.until);
        report({
          type: "cart.restored",
          sessionId: session.sessionId,
          customerId: session.customerId,
        });
      } else if (restorable === false) {
        await memory.setCustomer(session.customerId, null);
      }
    } catch (error) {
      // The session store failed: the sign-in goes on without its cart.
      logger.warn({ err: error }, "bff-session: the cart could not be settled at sign-in");
      if (guest !== undefined) this.failed(holder, "unavailable");
    }
  }

  async signedOut(req: Request, res: Response, sessionId: string | undefined): Promise<void> {
    const { cookie, memory, logger } = this.deps;
    if (cookie.isPresent(req)) cookie.clear(res);
    if (sessionId === undefined) return;
    try {
      await memory.setSession(sessionId, null, 0);
    } catch (error) {
      // The session is ended already; its cart record ends with the session's deadline anyway.
      logger.warn(
        { err: error },
        "bff-session: the cart of an ended session could not be forgotten",
      );
    }
  }

  /**
   * A guest cart cookie beside a live session: a cart created as a guest while the sign-in
   * ran (it answered after the sign-in cleared the cookie). With items it wins over the
   * session's cart, as at sign-in; the cookie goes either way.
   */
  private async settleLateGuest(
    req: Request,
    res: Response,
    holder: Extract<Holder, { kind: "session" }>,
    token: string,
  ): Promise<void> {
    const { cookie, memory, client } = this.deps;
    const guest = cookie.read(req);
    if (cookie.isCrossSite(req)) return;
    cookie.clear(res);
    if (guest === undefined) return;
    const current = await memory.ofSession(holder.sessionId);
    if (guest === current) return;
    await this.transfer(
      holder,
      ownerOf(req, client, { ...holder, token }),
      guest,
      current !== undefined,
    );
  }

  /** Moves a guest cart to the customer; resolves whether it is now the session's cart. */
  private async transfer(
    holder: Extract<Holder, { kind: "session" }>,
    owner: CartOwner,
    guest: string,
    yieldIfEmpty: boolean,
  ): Promise<boolean> {
    const outcome = await transferGuestCart(this.deps.client, guest, owner, { yieldIfEmpty });
    if (outcome.kind === "empty") return false;
    if (outcome.kind === "failed") {
      this.failed(holder, outcome.reason, outcome.status);
      return false;
    }
    await this.rememberForSession(holder, guest);
    await this.deps.memory.markTransferred(guest);
    this.deps.report({
      type: "cart.transferred",
      sessionId: holder.sessionId,
      customerId: holder.customerId,
    });
    return true;
  }

  private failed(
    holder: Extract<Holder, { kind: "session" }>,
    reason: Extract<SessionEvent, { type: "cart.transfer_failed" }>["reason"],
    status?: number,
  ): void {
    const { sessionId, customerId } = holder;
    this.deps.logger.warn(
      { reason, status },
      "bff-session: a guest cart was not transferred at sign-in",
    );
    this.deps.report({ type: "cart.transfer_failed", sessionId, customerId, reason });
  }

  private async remember(res: Response, holder: Holder, cartId: string): Promise<void> {
    if (holder.kind === "guest") this.deps.cookie.set(res, cartId);
    else await this.rememberForSession(holder, cartId);
  }

  private async rememberForSession(
    holder: Extract<Holder, { kind: "session" }>,
    cartId: string,
  ): Promise<void> {
    const { memory } = this.deps;
    await memory.setSession(holder.sessionId, cartId, holder.until);
    await memory.setCustomer(holder.customerId, cartId);
  }

  private async forget(res: Response, holder: Holder, cartId: string): Promise<void> {
    if (holder.kind === "guest") return this.deps.cookie.clear(res);
    const { memory } = this.deps;
    await memory.setSession(holder.sessionId, null, 0);
    await memory.forgetCustomerCart(holder.customerId, cartId);
  }
}
