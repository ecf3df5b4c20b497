import { StoreApiError } from "../errors/store-api-error.js";
import { UpstreamError } from "../errors/errors.js";
import type { CustomerStore } from "../customers/customer-store.js";
import type { StoreCustomerInput } from "../customers/store-customer.js";
import type { UpstreamClient } from "./client.js";
import { ownHeaders } from "./headers.js";
import { jsonObject } from "./json-object.js";

/**
 * The default CustomerStore with `upstream`: the backend's `GET /store/customers/me`, read as
 * the customer through the one backend client (its bounds and its 502/504 policy).
 *
 * 200 → the customer (it must be the session's); 404 → none (the session ends); 401 → 401;
 * 409 → a retryable conflict. Any other answer is the BFF's problem, not the browser's (a
 * wrong publishable key, a 5xx): 502, with the status in the log, never the backend's text.
 */
export function backendCustomers(client: UpstreamClient): CustomerStore {
  const { publishableKey } = client.options;
  return {
    async retrieve(customerId, { token, req }): Promise<StoreCustomerInput | null> {
      if (token === undefined) throw new StoreApiError("unauthorized", "Unauthorized");
      const answer = await client.read({
        method: "GET",
        path: "/store/customers/me",
        headers: ownHeaders({ token, publishableKey, identity: true }),
        client: req.res,
      });
      if (answer.status === 404) return null;
      if (answer.status === 401) throw new StoreApiError("unauthorized", "Unauthorized");
      if (answer.status === 409) throw new StoreApiError("conflict", "Conflict");
      const customer =
        answer.status === 200
          ? (jsonObject(answer.body.toString("utf8"))?.customer as StoreCustomerInput | undefined)
          : undefined;
      if (customer?.id !== customerId) {
        throw new UpstreamError(
          "BFF_UPSTREAM_BAD_ANSWER",
          `GET /store/customers/me answered ${answer.status} without the session's customer`,
        );
      }
      return customer;
    },
  };
}
