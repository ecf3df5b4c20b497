// What a storefront needs in a bare Medusa 2.21.2, through the admin API: a publishable key on
// the default sales channel, a EUR region for Germany paying with the system provider, a stock
// location that ships to Germany (manual fulfillment, a flat-rate shipping option) and a few
// products with EUR prices and stock. Idempotent: everything is found by a fixed name or handle
// first, so a second run over the same database reuses what the first created.
import { client } from "./api.mjs";
import { seedShippingOption, seedStockLocation } from "./seed-shipping.mjs";

const NAME = "bff-session dev";
const PAYMENT_PROVIDER = "pp_system_default";

/** Three products whose stock is tracked at the warehouse, one that is not (stock is not its point). */
export const PRODUCTS = [
  // The title __tests__/medusa/forward.test.ts looks for in the product list.
  { handle: "bff-test-shirt", title: "BFF Test Shirt", variant: "M", amount: 25, stock: 100 },
  { handle: "bff-enamel-mug", title: "Enamel Mug", variant: "One size", amount: 14, stock: 50 },
  { handle: "bff-canvas-tote", title: "Canvas Tote", variant: "One size", amount: 18, stock: 20 },
  { handle: "bff-sticker-pack", title: "Sticker Pack", variant: "Pack of 5", amount: 4 },
];

/**
 * Seeds the backend at `base` as the admin (`token`). Resolves the ids a storefront and the
 * tests use: `{ publishableKey, salesChannelId, regionId, stockLocationId, shippingOptionId,
 * variantIds }` (variantIds in the order of PRODUCTS).
 */
export async function seed(base, token) {
  const admin = client(base, { token });
  const { stores } = await admin("GET", "/admin/stores");
  const store = stores[0];
  const salesChannelId = store.default_sales_channel_id;
  // The store's currencies are the ones Medusa's admin offers prices in; the seed's are EUR.
  // Added to the list, not replacing it: a backend with other currencies keeps them.
  const currencies = (store.supported_currencies ?? []).map((c) => ({
    currency_code: c.currency_code,
    is_default: c.is_default,
  }));
  if (!currencies.some((c) => c.currency_code === "eur"))
    await admin("POST", `/admin/stores/${store.id}`, {
      supported_currencies: [
        ...currencies,
        { currency_code: "eur", is_default: currencies.length === 0 },
      ],
    });

  const publishableKey = await seedPublishableKey(admin, salesChannelId);
  const regionId = await seedRegion(admin);
  const { stockLocationId, serviceZoneId } = await seedStockLocation(admin, NAME, salesChannelId);
  const { shipping_profiles } = await admin("GET", "/admin/shipping-profiles?type=default");
  const profileId =
    shipping_profiles[0]?.id ??
    (await admin("GET", "/admin/shipping-profiles")).shipping_profiles[0].id;
  const shippingOptionId = await seedShippingOption(admin, serviceZoneId, profileId, regionId);
  const variantIds = [];
  for (const product of PRODUCTS)
    variantIds.push(
      await seedProduct(admin, product, { salesChannelId, profileId, stockLocationId }),
    );
  return {
    publishableKey,
    salesChannelId,
    regionId,
    stockLocationId,
    shippingOptionId,
    variantIds,
  };
}

async function seedPublishableKey(admin, salesChannelId) {
  const { api_keys } = await admin("GET", "/admin/api-keys?type=publishable&limit=100");
  let key = api_keys.find((k) => k.title === NAME && k.revoked_at === null);
  if (key === undefined) {
    ({ api_key: key } = await admin("POST", "/admin/api-keys", {
      title: NAME,
      type: "publishable",
    }));
  }
  const { sales_channels } = await admin(
    "GET",
    `/admin/sales-channels?publishable_key_id=${key.id}`,
  );
  if (!sales_channels.some((c) => c.id === salesChannelId))
    await admin("POST", `/admin/api-keys/${key.id}/sales-channels`, { add: [salesChannelId] });
  return key.token;
}

async function seedRegion(admin) {
  const { regions } = await admin(
    "GET",
    "/admin/regions?limit=100&fields=*countries,*payment_providers",
  );
  // A country belongs to one region at most: whichever region holds Germany is the one to use.
  let region = regions.find((r) => r.countries?.some((c) => c.iso_2 === "de"));
  if (region === undefined) {
    ({ region } = await admin("POST", "/admin/regions", {
      name: "Germany",
      currency_code: "eur",
      countries: ["de"],
      payment_providers: [PAYMENT_PROVIDER],
    }));
  } else if (!region.payment_providers?.some((p) => p.id === PAYMENT_PROVIDER)) {
    const providers = [...region.payment_providers.map((p) => p.id), PAYMENT_PROVIDER];
    await admin("POST", `/admin/regions/${region.id}`, { payment_providers: providers });
  }
  return region.id;
}

async function seedProduct(admin, spec, { salesChannelId, profileId, stockLocationId }) {
  const fields = "fields=*variants,*variants.inventory_items";
  const { products } = await admin("GET", `/admin/products?handle=${spec.handle}&${fields}`);
  let product = products[0];
  if (product === undefined) {
    ({ product } = await admin("POST", `/admin/products?${fields}`, {
      title: spec.title,
      handle: spec.handle,
      status: "published",
      shipping_profile_id: profileId,
      sales_channels: [{ id: salesChannelId }],
      options: [{ title: "Size", values: [spec.variant] }],
      variants: [
        {
          title: spec.variant,
          sku: spec.handle.toUpperCase(),
          options: { Size: spec.variant },
          manage_inventory: spec.stock !== undefined,
          prices: [{ currency_code: "eur", amount: spec.amount }],
        },
      ],
    }));
  }
  const variant = product.variants[0];
  if (spec.stock !== undefined) await seedStock(admin, variant, spec.stock, stockLocationId);
  return variant.id;
}

/** Stock at the location, set only when the item has no level there yet (orders then use it up). */
async function seedStock(admin, variant, stock, stockLocationId) {
  const itemId = variant.inventory_items?.[0]?.inventory_item_id;
  if (itemId === undefined) throw new Error(`variant ${variant.id} has no inventory item`);
  const { inventory_levels } = await admin(
    "GET",
    `/admin/inventory-items/${itemId}/location-levels`,
  );
  if (inventory_levels.some((l) => l.location_id === stockLocationId)) return;
  await admin("POST", `/admin/inventory-items/${itemId}/location-levels`, {
    location_id: stockLocationId,
    stocked_quantity: stock,
  });
}
