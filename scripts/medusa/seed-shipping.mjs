// Where orders ship from and how: a stock location on the sales channel, with the manual
// fulfillment provider, a shipping fulfillment set with a service zone for Germany, and a
// flat-rate shipping option in it. Each piece is looked up first, so a rerun adds only what is
// missing (also after a run that stopped half-way).
const FULFILLMENT_PROVIDER = "manual_manual";

/** The stock location named `name`, linked and zoned; resolves its id and the zone's. */
export async function seedStockLocation(admin, name, salesChannelId) {
  const fields =
    "fields=*sales_channels,*fulfillment_providers,*fulfillment_sets,*fulfillment_sets.service_zones";
  const { stock_locations } = await admin("GET", `/admin/stock-locations?limit=100&${fields}`);
  let location = stock_locations.find((l) => l.name === name);
  if (location === undefined) {
    const { stock_location } = await admin("POST", "/admin/stock-locations", {
      name,
      address: {
        address_1: "Torstraße 1",
        city: "Berlin",
        postal_code: "10119",
        country_code: "de",
      },
    });
    ({ stock_location: location } = await admin(
      "GET",
      `/admin/stock-locations/${stock_location.id}?${fields}`,
    ));
  }
  const id = location.id;
  // Cart availability counts stock only at locations linked to the cart's sales channel.
  if (!location.sales_channels?.some((c) => c.id === salesChannelId))
    await admin("POST", `/admin/stock-locations/${id}/sales-channels`, { add: [salesChannelId] });
  if (!location.fulfillment_providers?.some((p) => p.id === FULFILLMENT_PROVIDER))
    await admin("POST", `/admin/stock-locations/${id}/fulfillment-providers`, {
      add: [FULFILLMENT_PROVIDER],
    });
  let set = location.fulfillment_sets?.find((s) => s.type === "shipping");
  if (set === undefined) {
    const { stock_location } = await admin(
      "POST",
      `/admin/stock-locations/${id}/fulfillment-sets?${fields}`,
      {
        name: `${name} shipping`,
        type: "shipping",
      },
    );
    set = stock_location.fulfillment_sets.find((s) => s.type === "shipping");
  }
  let zone = set.service_zones?.find((z) => z.name === "Germany");
  if (zone === undefined) {
    const { fulfillment_set } = await admin(
      "POST",
      `/admin/fulfillment-sets/${set.id}/service-zones`,
      {
        name: "Germany",
        geo_zones: [{ type: "country", country_code: "de" }],
      },
    );
    zone = fulfillment_set.service_zones.find((z) => z.name === "Germany");
  }
  return { stockLocationId: id, serviceZoneId: zone.id };
}

/** A flat-rate "Standard Shipping" option in the zone, priced in EUR and for the region. */
export async function seedShippingOption(admin, serviceZoneId, profileId, regionId) {
  const { shipping_options } = await admin(
    "GET",
    `/admin/shipping-options?service_zone_id=${serviceZoneId}`,
  );
  const existing = shipping_options.find((o) => o.name === "Standard Shipping");
  if (existing !== undefined) return existing.id;
  const { shipping_option } = await admin("POST", "/admin/shipping-options", {
    name: "Standard Shipping",
    service_zone_id: serviceZoneId,
    shipping_profile_id: profileId,
    provider_id: FULFILLMENT_PROVIDER,
    price_type: "flat",
    type: { label: "Standard", description: "Delivered in 2-3 days.", code: "standard" },
    prices: [
      { currency_code: "eur", amount: 5 },
      { region_id: regionId, amount: 5 },
    ],
    // Without enabled_in_store the Store API never lists the option for a cart.
    rules: [
      { attribute: "enabled_in_store", value: "true", operator: "eq" },
      { attribute: "is_return", value: "false", operator: "eq" },
    ],
    data: { id: "manual-fulfillment" },
  });
  return shipping_option.id;
}
