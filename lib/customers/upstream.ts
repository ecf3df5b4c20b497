import { UpstreamError } from "../errors/errors.js";
import { StoreApiError } from "../errors/store-api-error.js";
import { resolveUpstream } from "../options/resolve-upstream.js";
import { UpstreamClient } from "../upstream/client.js";
import { ownHeaders } from "../upstream/headers.js";
import { jsonObject } from "../upstream/json-object.js";
import type { CustomerLookupContext, CustomerStore } from "./customer-store.js";
import type { StoreCustomerInput } from "./store-customer.js";

/**
 * Options of {@link upstreamCustomerStore}.
 *
 * @example
 * ```ts
 * upstreamCustomerStore({ baseUrl: "https://api.example.com", publishableKey: "pk_01J…", timeout: 3000, fields: "*addresses" });
 * ```
 */
export interface UpstreamCustomerStoreOptions {
  /** The commerce backend's base URL, e.g. "https://api.example.com". */
  baseUrl: string | URL;
  /** Sent as `x-publishable-api-key` (the xclade/Medusa Store API requires one per sales channel). */
  publishableKey?: string;
  /** How long one call may take, in ms. Default 5,000. */
  timeout?: number;
  /** `fields` query parameter, e.g. "*addresses". Default: the backend's default fields. */
  fields?: string;
}

/**
 * A CustomerStore that also says it needs the customer's token on every read.
 *
 * @example
 * ```ts
 * const customers: UpstreamCustomerStore = upstreamCustomerStore({ baseUrl: "https://api.example.com" });
 * createSessionRouter({ keys, customers, token: { keep: true } });
 * ```
 */
export interface UpstreamCustomerStore extends CustomerStore {
  readonly requiresToken: true;
}

/**
 * Reads the customer from a commerce backend's Store API (`GET {baseUrl}/store/customers/me`)
 * as the customer, with their bearer token, through the same undici client, bounds and error
 * policy as `upstream`'s. Needs `token: { keep: true }` on the router. (With `upstream` this is
 * the default customer store already, on the router's own connection pool.)
 *
 * 401 → 401; 404 → no customer (404 on login, session ended on GET); 409 (a retryable
 * conflict) → 409; unreachable → 502, too slow → 504. Any other answer is the BFF's fault, not
 * the browser's (a wrong publishable key, a 5xx, not the session's customer): 502, with the
 * backend's status and error type in the log line and the `customer.error` event; the
 * backend's text never reaches the browser.
 *
 * @example
 * ```ts
 * createSessionRouter({
 *   keys: remoteJwks(new URL("https://api.example.com/.well-known/jwks.json")),
 *   customers: upstreamCustomerStore({ baseUrl: "https://api.example.com", publishableKey: process.env.PK }),
 *   token: { keep: true },
 * });
 * ```
 */
export function upstreamCustomerStore(
  options: UpstreamCustomerStoreOptions,
): UpstreamCustomerStore {
  const {
    publishableKey,
    timeout = 5000,
    fields,
  } = options ?? ({} as UpstreamCustomerStoreOptions);
  let baseUrl: URL;
  try {
    baseUrl = new URL(String(options.baseUrl));
  } catch (cause) {
    throw new TypeError('upstreamCustomerStore: option "baseUrl" must be an absolute URL', {
      cause,
    });
  }
  if (baseUrl.protocol !== "https:" && baseUrl.protocol !== "http:") {
    throw new TypeError('upstreamCustomerStore: option "baseUrl" must be http(s)');
  }
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new TypeError('upstreamCustomerStore: option "timeout" must be a positive integer (ms)');
  }
  const upstream = resolveUpstream({
    baseUrl,
    publishableKey,
    timeout: `${timeout}ms`,
    signInLimits: false,
  })!;
  const store = backendCustomers(new UpstreamClient(upstream), fields);
  return Object.freeze({ requiresToken: true as const, retrieve: store.retrieve });
}

/**
 * The backend's `GET /store/customers/me` as a CustomerStore, through `client`: the default
 * customer store with `upstream`, and what {@link upstreamCustomerStore} is built on.
 */
export function backendCustomers(client: UpstreamClient, fields?: string): CustomerStore {
  const { publishableKey } = client.options;
  const path = `/store/customers/me${fields === undefined ? "" : `?fields=${encodeURIComponent(fields)}`}`;
  return {
    async retrieve(
      customerId: string,
      { token, req }: CustomerLookupContext,
    ): Promise<StoreCustomerInput | null> {
      if (token === undefined) {
        throw new StoreApiError("unexpected_state", "The commerce backend is unavailable.", {
          cause: new TypeError("the customer store needs the customer's token: set token.keep"),
        });
      }
      const answer = await client.read({
        method: "GET",
        path,
        headers: ownHeaders({ token, publishableKey, identity: true }),
        client: req.res,
      });
      if (answer.status === 404) return null;
      if (answer.status === 401) throw new StoreApiError("unauthorized", "Unauthorized");
      if (answer.status === 409) throw new StoreApiError("conflict", "Conflict");
      const body = jsonObject(answer.body.toString("utf8"));
      const customer = answer.status === 200 ? (body?.customer as StoreCustomerInput) : undefined;
      if (customer?.id === customerId) return customer;
      const said = typeof body?.type === "string" ? ` ${body.type}: ${String(body.message)}` : "";
      throw new UpstreamError(
        "BFF_UPSTREAM_BAD_ANSWER",
        answer.status === 200
          ? "GET /store/customers/me answered another customer, or none"
          : `GET /store/customers/me answered ${answer.status}${said}`,
      );
    },
  };
}

/** True for a store that cannot work without the customer's token on every read. */
export function requiresToken(store: CustomerStore): boolean {
  return (store as Partial<UpstreamCustomerStore>).requiresToken === true;
}
