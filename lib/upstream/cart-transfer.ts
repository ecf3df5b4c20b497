import type { CartTransferFailure } from "../events.js";
import type { UpstreamClient } from "./client.js";
import { ownHeaders } from "./headers.js";

/** The signed-in customer a cart is settled for at sign-in. */
export interface CartOwner {
  customerId: string;
  /** The customer's token, for the calls made as the customer. */
  token: string;
  /** `upstream.publishableKey`, else the one the browser sent. */
  publishableKey: string | undefined;
}

/** What became of a guest cart at sign-in. */
export type TransferOutcome =
  | { kind: "transferred" }
  /** Without items, while the customer has a remembered cart: that one comes back instead. */
  | { kind: "empty" }
  | { kind: "failed"; reason: CartTransferFailure; status?: number };

/** The fields of a backend cart the rules read. */
interface CartFacts {
  customerId: string | undefined;
  completed: boolean;
  items: number;
}

/**
 * Makes a guest cart the customer's: `POST /store/carts/{id}/customer` as the customer. Read
 * first: a cart that is an order already, or another customer's (which the backend would hand
 * over to anyone who asks with its id), is never taken; an empty one gives way to the
 * customer's remembered cart (`yieldIfEmpty`). Backend failures are outcomes, never throws
 * (the sign-in goes on).
 */
export async function transferGuestCart(
  client: UpstreamClient,
  cartId: string,
  owner: CartOwner,
  { yieldIfEmpty }: { yieldIfEmpty: boolean },
): Promise<TransferOutcome> {
  try {
    const read = await readCart(client, cartId, owner, undefined);
    if (read.status === 404) return { kind: "failed", reason: "not_found" };
    if (read.facts === undefined) return { kind: "failed", reason: "refused", status: read.status };
    const { facts } = read;
    if (facts.completed) return { kind: "failed", reason: "completed" };
    if (facts.customerId !== undefined && facts.customerId !== owner.customerId)
      return { kind: "failed", reason: "another_customer" };
    if (facts.items === 0 && yieldIfEmpty) return { kind: "empty" };
    // Already the customer's (a second sign-in in this browser): nothing to move.
    if (facts.customerId === owner.customerId) return { kind: "transferred" };
    const moved = await client.read({
      method: "POST",
      path: `/store/carts/${cartId}/customer`,
      headers: { ...cartHeaders(owner, owner.token), "content-type": "application/json" },
      body: Buffer.from("{}"),
    });
    if (moved.status === 200) return { kind: "transferred" };
    if (moved.status === 404) return { kind: "failed", reason: "not_found" };
    return { kind: "failed", reason: "refused", status: moved.status };
  } catch {
    return { kind: "failed", reason: "unavailable" };
  }
}

/**
 * Whether the customer's remembered cart may come back: the backend still has it, it is not an
 * order yet, and it is this customer's. Resolves undefined when the backend could not say.
 */
export async function isRestorable(
  client: UpstreamClient,
  cartId: string,
  owner: CartOwner,
): Promise<boolean | undefined> {
  try {
    const read = await readCart(client, cartId, owner, owner.token);
    if (read.status === 404) return false;
    if (read.facts === undefined) return undefined;
    return !read.facts.completed && read.facts.customerId === owner.customerId;
  } catch {
    return undefined;
  }
}

async function readCart(
  client: UpstreamClient,
  cartId: string,
  owner: CartOwner,
  token: string | undefined,
): Promise<{ status: number; facts: CartFacts | undefined }> {
  const answer = await client.read({
    method: "GET",
    path: `/store/carts/${cartId}`,
    headers: cartHeaders(owner, token),
  });
  return { status: answer.status, facts: answer.status === 200 ? facts(answer.body) : undefined };
}

/** The facts of a `{ cart }` answer, or undefined when the body is not one. */
function facts(body: Buffer): CartFacts | undefined {
  const cart = cartOf(body);
  if (cart === undefined) return undefined;
  const customer = cart.customer as { id?: unknown } | null | undefined;
  const customerId = typeof customer?.id === "string" ? customer.id : cart.customer_id;
  return {
    customerId: typeof customerId === "string" && customerId !== "" ? customerId : undefined,
    completed: cart.completed_at !== null && cart.completed_at !== undefined,
    items: Array.isArray(cart.items) ? cart.items.length : 0,
  };
}

/** The `cart` object of a Store API answer body, or undefined. */
export function cartOf(body: Buffer): Record<string, unknown> | undefined {
  const parsed = parseJson(body) as { cart?: unknown } | undefined;
  const cart = parsed?.cart;
  return typeof cart === "object" && cart !== null ? (cart as Record<string, unknown>) : undefined;
}

/** The JSON of an answer body, or undefined when it is none. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function cartHeaders(owner: CartOwner, token: string | undefined): Record<string, string> {
  return ownHeaders({ token, publishableKey: owner.publishableKey, identity: true });
}
