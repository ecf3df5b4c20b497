import { StoreApiError } from "../errors/store-api-error.js";
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
  /** The fetch implementation (a custom agent, a test double). Default: the global `fetch`. */
  fetch?: typeof fetch;
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

const UNAVAILABLE = "The commerce backend is unavailable.";

/**
 * Reads the customer from a commerce backend's Store API (`GET {baseUrl}/store/customers/me`)
 * as the customer, with their bearer token — how a BFF in front of a real xclade/Medusa backend
 * uses bff-session. Needs `token: { keep: true }` on the router, so later reads have the token.
 *
 * Upstream 401 → 401; 404 → no customer (404 on login, session ended on GET); 409 (a retryable
 * conflict) → 409. Anything else is the BFF's fault, not the browser's: a 400 for a missing or
 * wrong publishable key, a 5xx, a timeout, an unreachable backend → 500 `unexpected_state`,
 * with the backend's status and error type in the cause for the log line and the
 * `customer.error` event; the backend's text never reaches the browser.
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
    fetch: fetchImpl = globalThis.fetch,
  } = options ?? ({} as UpstreamCustomerStoreOptions);
  let url: URL;
  try {
    url = new URL("store/customers/me", String(options.baseUrl).replace(/\/?$/, "/"));
  } catch (cause) {
    throw new TypeError('upstreamCustomerStore: option "baseUrl" must be an absolute URL', {
      cause,
    });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError('upstreamCustomerStore: option "baseUrl" must be http(s)');
  }
  if (fields !== undefined) url.searchParams.set("fields", fields);
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new TypeError('upstreamCustomerStore: option "timeout" must be a positive integer (ms)');
  }
  const href = url.href;

  return Object.freeze({
    requiresToken: true as const,
    async retrieve(
      customerId: string,
      { token }: CustomerLookupContext,
    ): Promise<StoreCustomerInput | null> {
      if (token === undefined) {
        throw new StoreApiError("unexpected_state", UNAVAILABLE, {
          cause: new TypeError(
            "upstreamCustomerStore needs the customer's token: set token.keep on the router",
          ),
        });
      }
      const headers: Record<string, string> = {
        accept: "application/json",
        authorization: `Bearer ${token}`,
      };
      if (publishableKey !== undefined) headers["x-publishable-api-key"] = publishableKey;

      let response: Response;
      let body: unknown;
      try {
        response = await fetchImpl(href, {
          headers,
          signal: AbortSignal.timeout(timeout),
          redirect: "error",
        });
        body = await response.json().catch(() => undefined);
      } catch (cause) {
        throw new StoreApiError("unexpected_state", UNAVAILABLE, { cause });
      }
      if (response.status === 200) {
        const customer = (body as { customer?: StoreCustomerInput } | undefined)?.customer;
        if (customer?.id !== customerId) {
          throw new StoreApiError("unexpected_state", UNAVAILABLE, {
            cause: new Error("upstream returned no customer, or another customer than the token's"),
          });
        }
        return customer;
      }
      if (response.status === 404) return null;
      if (response.status === 401) throw new StoreApiError("unauthorized", "Unauthorized");
      if (response.status === 409) throw new StoreApiError("conflict", "Conflict");
      const { type, message } = (body ?? {}) as { type?: unknown; message?: unknown };
      const said = typeof type === "string" ? ` ${type}: ${String(message)}` : "";
      throw new StoreApiError("unexpected_state", UNAVAILABLE, {
        cause: new Error(`GET ${href} answered ${response.status}${said}`),
      });
    },
  });
}

/** True for a store that cannot work without the customer's token on every read. */
export function requiresToken(store: CustomerStore): boolean {
  return (store as Partial<UpstreamCustomerStore>).requiresToken === true;
}
