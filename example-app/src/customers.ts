// Seeded demo customers. The objects carry a password_hash, as a database row would: the
// session router's StoreCustomer schema makes sure it never reaches a response.
import type { CustomerStore, StoreCustomerInput } from "bff-session";
import { hashPassword } from "./identity";

export type DemoCustomer = StoreCustomerInput & { password_hash: string };

const now = "2026-01-15T09:30:00.000Z";

const SEED: DemoCustomer[] = [
  {
    id: "cus_01JDEMOJANE",
    email: "jane@example.com",
    first_name: "Jane",
    last_name: "Doe",
    phone: "+49 30 1234567",
    company_name: null,
    default_shipping_address_id: "caddr_01JANEHOME",
    default_billing_address_id: "caddr_01JANEHOME",
    metadata: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    password_hash: hashPassword("storefront-demo"),
    addresses: [
      {
        id: "caddr_01JANEHOME",
        customer_id: "cus_01JDEMOJANE",
        address_name: "Home",
        first_name: "Jane",
        last_name: "Doe",
        address_1: "Torstraße 1",
        city: "Berlin",
        postal_code: "10119",
        country_code: "de",
        is_default_shipping: true,
        is_default_billing: true,
      },
      {
        id: "caddr_01JANEWORK",
        customer_id: "cus_01JDEMOJANE",
        address_name: "Office",
        company: "Acme GmbH",
        address_1: "Friedrichstraße 100",
        city: "Berlin",
        postal_code: "10117",
        country_code: "de",
      },
    ],
  },
  {
    id: "cus_01JDEMOMAX",
    email: "max@example.com",
    first_name: "Max",
    last_name: "Mustermann",
    password_hash: hashPassword("storefront-demo"),
    addresses: [],
  },
];

export interface DemoCustomers extends CustomerStore {
  byEmail(email: string): DemoCustomer | undefined;
  /** A customer registered through the storefront (kept in memory). */
  add(customer: DemoCustomer): void;
}

export function demoCustomers(): DemoCustomers {
  const byId = new Map(SEED.map((c) => [c.id, c]));
  return {
    async retrieve(customerId) {
      return byId.get(customerId) ?? null;
    },
    byEmail(email) {
      const wanted = email.trim().toLowerCase();
      return [...byId.values()].find((c) => c.email === wanted);
    },
    add(customer) {
      byId.set(customer.id, customer);
    },
  };
}
