import { hash } from "node:crypto";
import type { GuardedStore } from "../session/guarded-store.js";
import type { SessionStore } from "../stores/session-store.js";

// How long a customer's cart is remembered for their next sign-in, from its last change here.
const CUSTOMER_CART_MS = 30 * 24 * 3600_000;

type Records = Required<Pick<SessionStore, "getRecord" | "setRecord">>;

/**
 * Where the carts of signed-in browsers are remembered: small records beside the sessions
 * (`SessionStore.getRecord/setRecord`), so every instance sees them. One per session (the
 * browser's current cart, until the session's absolute deadline) and one per customer (the
 * cart of their latest sign-in or cart, for the next sign-in on any device). Keys hold
 * hashes of the customer ids. Writes are whole values, so the last writer wins.
 */
export class CartMemory {
  private readonly records: Records;

  constructor(
    private readonly guarded: GuardedStore,
    private readonly now: () => number,
  ) {
    // createSessionRouter refuses a store without them when `upstream` is set.
    this.records = guarded.store as Records;
  }

  ofSession(sessionId: string): Promise<string | undefined> {
    return this.get(`cart:session:${sessionId}`);
  }

  /** Remembers (or, with null, forgets) the session's cart until the session's deadline. */
  setSession(sessionId: string, cartId: string | null, until: number): Promise<void> {
    return this.set(`cart:session:${sessionId}`, cartId, until);
  }

  ofCustomer(customerId: string): Promise<string | undefined> {
    return this.get(customerKey(customerId));
  }

  setCustomer(customerId: string, cartId: string | null): Promise<void> {
    return this.set(customerKey(customerId), cartId, this.now() + CUSTOMER_CART_MS);
  }

  /**
   * Marks a guest cart as moved to a customer: a copy of the guest cookie that names it, taken
   * before the sign-in, no longer reaches it.
   */
  markTransferred(cartId: string): Promise<void> {
    return this.set(transferredKey(cartId), "1", this.now() + CUSTOMER_CART_MS);
  }

  async wasTransferred(cartId: string): Promise<boolean> {
    return (await this.get(transferredKey(cartId))) !== undefined;
  }

  /** Forgets the customer's remembered cart when it is `cartId` (completed, or gone). */
  async forgetCustomerCart(customerId: string, cartId: string): Promise<void> {
    if ((await this.ofCustomer(customerId)) === cartId) await this.setCustomer(customerId, null);
  }

  private async get(key: string): Promise<string | undefined> {
    const { records } = this;
    const value = await this.guarded.call("getRecord", () => records.getRecord(key));
    return typeof value === "string" && value !== "" ? value : undefined;
  }

  private set(key: string, value: string | null, until: number): Promise<void> {
    const { records } = this;
    return this.guarded.call("setRecord", () => records.setRecord(key, value, until));
  }
}

function customerKey(customerId: string): string {
  return `cart:customer:${hash("sha256", customerId, "base64url")}`;
}

function transferredKey(cartId: string): string {
  return `cart:transferred:${hash("sha256", cartId, "base64url")}`;
}
