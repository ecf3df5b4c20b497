import { storeCustomerSchema } from "../../lib/customers/store-customer.js";

it("fills absent fields with null and an empty address list", () => {
  expect(storeCustomerSchema.parse({ id: "cus_1", email: "a@b.c" })).toEqual({
    id: "cus_1",
    email: "a@b.c",
    default_billing_address_id: null,
    default_shipping_address_id: null,
    company_name: null,
    first_name: null,
    last_name: null,
    addresses: [],
    phone: null,
    metadata: null,
    created_at: null,
    updated_at: null,
    deleted_at: null,
  });
});

it("drops undocumented fields, also in addresses", () => {
  const parsed = storeCustomerSchema.parse({
    id: "cus_1",
    email: "a@b.c",
    password_hash: "x",
    addresses: [{ id: "addr_1", internal: true }],
  });
  expect(parsed).not.toHaveProperty("password_hash");
  expect(parsed.addresses[0]).not.toHaveProperty("internal");
  expect(parsed.addresses[0]).toMatchObject({
    id: "addr_1",
    is_default_shipping: false,
    is_default_billing: false,
    city: null,
  });
});

it("sends Date timestamps as ISO strings", () => {
  const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const parsed = storeCustomerSchema.parse({
    id: "c",
    email: "e",
    created_at: at,
    deleted_at: "2026-01-01",
  });
  expect(parsed.created_at).toBe("2026-01-02T03:04:05.000Z");
  expect(parsed.deleted_at).toBe("2026-01-01");
});

it.each<[string, object]>([
  ["no id", { email: "e" }],
  ["an empty id", { id: "", email: "e" }],
  ["no email", { id: "c" }],
  ["metadata that is not an object", { id: "c", email: "e", metadata: "x" }],
  ["an address without id", { id: "c", email: "e", addresses: [{}] }],
])("refuses %s", (_, value) => {
  expect(storeCustomerSchema.safeParse(value).success).toBe(false);
});
