// Proves the seed is enough for a storefront: a guest order placed through Medusa's Store API
// directly (no BFF), the way a checkout does it — cart, line item, email and address, a shipping
// method from the options listed for the cart, a payment session with the system provider,
// complete → an order, and the variant's available stock one lower.
//
//   node scripts/medusa/check-order.mjs   (MEDUSA_URL, MEDUSA_PUBLISHABLE_KEY, MEDUSA_REGION_ID,
//                                          MEDUSA_VARIANT_ID, MEDUSA_SHIPPING_OPTION_ID set, as
//                                          `npm run test:medusa` and `npm run medusa` provide)
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { client } from "./api.mjs";

export const ADDRESS = {
  first_name: "Jane",
  last_name: "Doe",
  address_1: "Torstraße 1",
  city: "Berlin",
  postal_code: "10119",
  country_code: "de",
};

/** The variant's available quantity as the storefront sees it (stock minus reservations). */
async function available(store, variantId, regionId) {
  const fields = "fields=id,*variants,+variants.inventory_quantity";
  const { products } = await store(
    "GET",
    `/store/products?region_id=${regionId}&${fields}&limit=100`,
  );
  const variant = products.flatMap((p) => p.variants).find((v) => v.id === variantId);
  assert.ok(variant, `variant ${variantId} is not listed in the store`);
  return variant.inventory_quantity;
}

/**
 * Places one guest order for `variantId` and resolves it. Throws (with the backend's answer)
 * at the first step that fails, so a missing piece of the seed names itself.
 */
export async function placeOrder(base, { publishableKey, regionId, variantId, shippingOptionId }) {
  const store = client(base, { key: publishableKey });
  const before = await available(store, variantId, regionId);
  assert.ok(before > 0, `variant ${variantId} has no stock (${before})`);

  let { cart } = await store("POST", "/store/carts", { region_id: regionId });
  ({ cart } = await store("POST", `/store/carts/${cart.id}/line-items`, {
    variant_id: variantId,
    quantity: 1,
  }));
  ({ cart } = await store("POST", `/store/carts/${cart.id}`, {
    email: `guest.${Date.now()}@bff.test`,
    shipping_address: ADDRESS,
    billing_address: ADDRESS,
  }));

  const { shipping_options } = await store("GET", `/store/shipping-options?cart_id=${cart.id}`);
  const option = shipping_options.find((o) => o.id === shippingOptionId);
  assert.ok(option, `shipping option ${shippingOptionId} is not offered for the cart`);
  ({ cart } = await store("POST", `/store/carts/${cart.id}/shipping-methods`, {
    option_id: option.id,
  }));

  const { payment_collection } = await store("POST", "/store/payment-collections", {
    cart_id: cart.id,
  });
  await store("POST", `/store/payment-collections/${payment_collection.id}/payment-sessions`, {
    provider_id: "pp_system_default",
  });

  const result = await store("POST", `/store/carts/${cart.id}/complete`);
  assert.equal(result.type, "order", `complete answered ${JSON.stringify(result).slice(0, 500)}`);
  assert.equal(result.order.items.length, 1);
  assert.equal(result.order.items[0].variant_id, variantId);
  assert.ok(result.order.total > 0, "the order has a total");

  // The order reserved its item: the stock the storefront sees went down by one.
  assert.equal(await available(store, variantId, regionId), before - 1);
  return result.order;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = (name) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run this with npm run test:medusa`);
    return value;
  };
  const order = await placeOrder(env("MEDUSA_URL"), {
    publishableKey: env("MEDUSA_PUBLISHABLE_KEY"),
    regionId: env("MEDUSA_REGION_ID"),
    variantId: env("MEDUSA_VARIANT_ID"),
    shippingOptionId: env("MEDUSA_SHIPPING_OPTION_ID"),
  });
  console.log(
    `check-order: guest order ${order.id} placed through the Store API (total ${order.total} ${order.currency_code})`,
  );
}
