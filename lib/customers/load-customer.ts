import { StoreApiError } from "../errors/store-api-error.js";
import { renderError } from "../errors/render-error.js";
import type { SessionEvent } from "../events.js";
import type { Logger } from "../logger.js";
import type { CustomerLookupContext, CustomerStore } from "./customer-store.js";
import { storeCustomerSchema, type StoreCustomer } from "./store-customer.js";

/** Loads a customer in the documented shape; undefined when the store has no such customer. */
export type LoadCustomer = (
  customerId: string,
  lookup: CustomerLookupContext,
) => Promise<StoreCustomer | undefined>;

/**
 * Reads through the CustomerStore and parses into the documented StoreCustomer: fields the
 * store returns beyond it (say `password_hash`) are never sent.
 */
export function customerLoader(
  customers: CustomerStore,
  report: (event: SessionEvent) => void,
  logger: Logger,
): LoadCustomer {
  return async function loadCustomer(customerId, lookup) {
    let found;
    try {
      // Called as a method, so stores that are class instances keep their `this`.
      found = await customers.retrieve(customerId, lookup);
    } catch (error) {
      // A failure on the server's side (the backend is down, a misconfigured key) is an event
      // too; what the store chose to tell the client (4xx) is not.
      if (renderError(error).status >= 500) report({ type: "customer.error", error });
      throw error;
    }
    if (found === null || found === undefined) return undefined;
    const parsed = storeCustomerSchema.safeParse(found);
    if (!parsed.success) {
      // The store returned something that is not a customer: a bug in the app, not the client.
      logger.error(
        { issues: parsed.error.issues.map((i) => i.path.join(".")) },
        "bff-session: customer store returned an invalid customer",
      );
      throw new StoreApiError("unexpected_state", "The customer could not be read.");
    }
    return parsed.data;
  };
}
