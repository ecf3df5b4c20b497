import type { Response } from "express";
import type { CustomerLookupContext } from "../customers/customer-store.js";
import { storeCustomerSchema, type StoreCustomer } from "../customers/store-customer.js";
import {
  CrossSiteRequestError,
  NoSessionError,
  SessionStoreError,
  TokenRejectedError,
} from "../errors/internal-errors.js";
import { renderError } from "../errors/render-error.js";
import { isStoreApiError, StoreApiError } from "../errors/store-api-error.js";
import { sendError } from "../errors/send-error.js";
import type { Logger, SessionEvent } from "../events.js";
import type { ResolvedOptions } from "../options.js";
import type { SessionManager } from "../session/session-manager.js";
import type { TokenPolicy } from "../token/verify-token.js";

/** What every route handler shares; built once by createSessionRouter. */
export interface RouterContext {
  options: ResolvedOptions;
  sessions: SessionManager;
  policy: TokenPolicy;
  report: (event: SessionEvent) => void;
  logger: Logger;
}

/** Loads the customer through the CustomerStore and parses it into the documented shape. */
export async function loadCustomer(
  ctx: RouterContext,
  customerId: string,
  lookup: CustomerLookupContext,
): Promise<StoreCustomer | undefined> {
  // Called as a method, so stores that are class instances keep their `this`.
  const found = await ctx.options.customers.retrieve(customerId, lookup);
  if (found === null || found === undefined) return undefined;
  const parsed = storeCustomerSchema.safeParse(found);
  if (!parsed.success) {
    // The store returned something that is not a customer: a bug in the app, not the client.
    ctx.logger.error(
      { issues: parsed.error.issues.map((i) => i.path.join(".")) },
      "bff-session: customer store returned an invalid customer",
    );
    throw new StoreApiError("unexpected_state", "The customer could not be read.");
  }
  return parsed.data;
}

/**
 * Answers a failed request in the documented shape, reporting what the client is not told.
 * Never throws, so no handler leaves a rejected promise behind (Express 4 would miss it).
 */
export function fail(
  ctx: RouterContext,
  res: Response,
  error: unknown,
  wwwAuthenticate = false,
): void {
  if (error instanceof TokenRejectedError) {
    ctx.report({ type: "token.rejected", reason: error.reason });
  } else if (error instanceof CrossSiteRequestError) {
    ctx.report({ type: "csrf.rejected", method: res.req.method, detail: error.detail });
  } else if (
    // Expected outcomes: no session (a plain 401), a store failure (already reported as
    // `store.error`), and what the customer store chose to say. Anything else is logged.
    !(error instanceof NoSessionError) &&
    !(error instanceof SessionStoreError) &&
    !isStoreApiError(error)
  ) {
    ctx.logger.error({ err: error }, "bff-session: request failed");
  }
  if (res.headersSent) return;
  sendError(res, renderError(error), wwwAuthenticate);
}
