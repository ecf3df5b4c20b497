import { notifyBff, resolveClient, type BackChannelClientOptions } from "./notify.js";

/**
 * What Medusa 2 hands a subscriber (the parts used here: `SubscriberArgs` of
 * `@medusajs/framework`, described structurally so that this entry point needs no Medusa
 * package).
 *
 * @example
 * ```ts
 * const args: MedusaSubscriberArgs<{ id: string }> = { event: { name: "customer.deleted", data: { id: "cus_1" } }, container };
 * ```
 */
export interface MedusaSubscriberArgs<T> {
  event: { name: string; data: T; metadata?: Record<string, unknown> };
  container: { resolve(key: string): unknown };
}

/**
 * The `config` of the subscriber file: Medusa reads the event name from it.
 *
 * @example
 * ```ts
 * export const config = customerDeletedConfig;
 * ```
 */
export const customerDeletedConfig = Object.freeze({ event: "customer.deleted" as const });

interface MedusaLogger {
  error(message: string, ...rest: unknown[]): unknown;
  info?(message: string): unknown;
}

/**
 * A Medusa 2 subscriber to `customer.deleted`: it tells the BFF, through its signed
 * back-channel, to end every session of the deleted customer (and drop their kept tokens). A
 * BFF it cannot reach is tried again (3 attempts within ~5 s); a failure is logged through
 * Medusa's logger and thrown. Options are checked once, when the file is loaded.
 *
 * @example
 * ```ts
 * // src/subscribers/bff-session-customer-deleted.ts in the Medusa project
 * import { customerDeletedSubscriber, customerDeletedConfig } from "bff-session/medusa";
 *
 * export default customerDeletedSubscriber({
 *   url: process.env.BFF_BACK_CHANNEL_URL!,
 *   secret: process.env.BFF_BACK_CHANNEL_SECRET!,
 * });
 * export const config = customerDeletedConfig; // { event: "customer.deleted" }
 * ```
 */
export function customerDeletedSubscriber(
  options: BackChannelClientOptions,
): (args: MedusaSubscriberArgs<{ id: string }>) => Promise<void> {
  const client = resolveClient(options);
  return async function bffSessionCustomerDeleted({ event, container }) {
    const id = event.data?.id;
    if (typeof id !== "string" || id === "") return;
    try {
      await notifyBff(client, { type: "customer.deleted", customer_id: id });
    } catch (error) {
      loggerOf(container)?.error(
        `bff-session: the sessions of deleted customer ${id} could not be ended: ${(error as Error).message}`,
      );
      throw error;
    }
  };
}

function loggerOf(container: MedusaSubscriberArgs<unknown>["container"]): MedusaLogger | undefined {
  try {
    const logger = container.resolve("logger") as MedusaLogger | undefined;
    return typeof logger?.error === "function" ? logger : undefined;
  } catch {
    return undefined;
  }
}
