import { lowCardinalityRoute, routeFamily } from "../../lib/observability/route.js";

it.each([
  ["/store/products", "/store/products"],
  ["/store/products?limit=2&handle=t-shirt", "/store/products"],
  [
    "/store/carts/cart_01HZX4Q9B2Y7C8D9E0F1G2H3J4/line-items/cali_01HZX4QA",
    "/store/carts/:id/line-items/:id",
  ],
  [
    "/store/payment-collections/pay_col_01HZX4Q9B2Y7C8D9E0F1G2H3J4/payment-sessions",
    "/store/payment-collections/:id/payment-sessions",
  ],
  ["/store/customers/me/addresses/caddr_01HZX4Q9", "/store/customers/me/addresses/:id"],
  ["/store/orders/12345", "/store/orders/:id"],
  ["/store/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "/store/orders/:id"],
  ["/store/customers/jane%40example.com", "/store/customers/:id"],
  ["/store/customers/jane@example.com", "/store/customers/:id"],
  ["/store/regions/Reg", "/store/regions/:id"],
  ["/store/carts/eyJhbGciOiJIUzI1NiJ9.eyJ9.c2ln", "/store/carts/:id"],
  [`/store/${"a".repeat(41)}`, "/store/:id"],
  ["/auth/customer/emailpass/callback?code=abc", "/auth/customer/emailpass/callback"],
  ["/store/", "/store/"],
  ["/", "/"],
  ["/store/a/b/c/d/e/f/g/h/i/j", "/store/a/b/c/d/e/f/g/…"],
])("lowCardinalityRoute(%s) is %s", (path, route) => {
  expect(lowCardinalityRoute(path)).toBe(route);
});

it.each([
  ["/auth/customer/emailpass", "auth"],
  ["/auth/token/refresh", "auth"],
  ["/auth", "auth"],
  ["/store/products", "store"],
  ["/authority/x", "store"],
])("routeFamily(%s) is %s", (path, family) => {
  expect(routeFamily(path)).toBe(family);
});
