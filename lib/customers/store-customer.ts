import { z } from "zod";

// Medusa returns dates as ISO strings; a database row may hold Date objects. Both leave as strings.
const timestamp = z.union([z.string(), z.date().transform((d) => d.toISOString())]);
// Absent (undefined) becomes null through a default, not a transform: a transform adds a pipe
// to every field, and the parse of a customer took half as long again with them.
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);
const metadata = nullable(z.record(z.string(), z.unknown()));

/** The documented customer address. Fields absent in the store's object come out as null. */
export const storeCustomerAddressSchema = z.object({
  id: z.string(),
  address_name: nullable(z.string()),
  is_default_shipping: z.boolean().default(false),
  is_default_billing: z.boolean().default(false),
  customer_id: nullable(z.string()),
  company: nullable(z.string()),
  first_name: nullable(z.string()),
  last_name: nullable(z.string()),
  address_1: nullable(z.string()),
  address_2: nullable(z.string()),
  city: nullable(z.string()),
  country_code: nullable(z.string()),
  province: nullable(z.string()),
  postal_code: nullable(z.string()),
  phone: nullable(z.string()),
  metadata,
  created_at: nullable(timestamp),
  updated_at: nullable(timestamp),
});

/**
 * The documented `StoreCustomer`. Every response's `user` is parsed through it, so fields the
 * customer store returns that are not documented (a `password_hash`, internal flags) are
 * stripped and never sent.
 *
 * @example
 * ```ts
 * const user = storeCustomerSchema.parse(await db.customer.find(id)); // undocumented fields removed
 * ```
 */
export const storeCustomerSchema = z.object({
  id: z.string().min(1),
  email: z.string(),
  default_billing_address_id: nullable(z.string()),
  default_shipping_address_id: nullable(z.string()),
  company_name: nullable(z.string()),
  first_name: nullable(z.string()),
  last_name: nullable(z.string()),
  addresses: z.array(storeCustomerAddressSchema).default([]),
  phone: nullable(z.string()),
  metadata,
  created_at: nullable(timestamp),
  updated_at: nullable(timestamp),
  deleted_at: nullable(timestamp),
});

/**
 * A customer as the API sends it.
 *
 * @example
 * ```ts
 * const res = await fetch("/auth/session", { credentials: "include" });
 * const { user }: { user: StoreCustomer } = await res.json();
 * ```
 */
export type StoreCustomer = z.output<typeof storeCustomerSchema>;
/**
 * A customer as a {@link CustomerStore} may return it: undocumented fields allowed (and dropped).
 *
 * @example
 * ```ts
 * const row: StoreCustomerInput = { id: "cus_123", email: "jane@example.com", password_hash: "…" }; // password_hash is dropped
 * ```
 */
export type StoreCustomerInput = z.input<typeof storeCustomerSchema> & Record<string, unknown>;
/**
 * A documented customer address, as sent in `user.addresses`.
 *
 * @example
 * ```ts
 * const home: StoreCustomerAddress | undefined = user.addresses.find((a) => a.is_default_shipping);
 * ```
 */
export type StoreCustomerAddress = z.output<typeof storeCustomerAddressSchema>;
