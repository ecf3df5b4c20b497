import type { Request } from "express";
import type { StoreCustomerInput } from "./store-customer.js";
import type { TokenClaims } from "../token/verify-token.js";

/**
 * What `retrieve` is told about the request it serves.
 *
 * @example
 * ```ts
 * const customers: CustomerStore = {
 *   async retrieve(id, { claims, req }) {
 *     req.log?.info({ identity: claims?.auth_identity_id }, "customer lookup");
 *     return db.customer.find(id);
 *   },
 * };
 * ```
 */
export interface CustomerLookupContext {
  /** The incoming request. */
  req: Request;
  /** The verified token's claims: set on login (POST), undefined when a session is re-read (GET). */
  claims: TokenClaims | undefined;
  /**
   * The customer's bearer token: set on login (POST), and on later reads when the router keeps
   * it (`token.keep`). Never log it.
   */
  token: string | undefined;
}

/**
 * Loads customers. bff-session calls it on login (with the verified token) and whenever the
 * current session's customer is asked for. It is called as a method of the object you pass,
 * so class instances with private state work.
 *
 * Resolve `null` when there is no such customer (login → 404, session → ended). Throw a
 * {@link StoreApiError} to answer with its documented shape; any other error is a generic 500.
 *
 * @example
 * ```ts
 * const customers: CustomerStore = {
 *   async retrieve(customerId) {
 *     return db.customer.findUnique({ where: { id: customerId }, include: { addresses: true } });
 *   },
 * };
 * ```
 */
export interface CustomerStore {
  retrieve(
    customerId: string,
    context: CustomerLookupContext,
  ): Promise<StoreCustomerInput | null | undefined>;
}
