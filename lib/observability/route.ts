/**
 * The backend API a forwarded path belongs to: `"auth"` for `/auth/…` (sign-in, register,
 * token refresh), `"store"` for everything else the BFF forwards (`/store/…`).
 *
 * @example
 * ```ts
 * routeFamily("/auth/customer/emailpass"); // "auth"
 * routeFamily("/store/products?limit=2");  // "store"
 * ```
 */
export function routeFamily(path: string): "store" | "auth" {
  return path === "/auth" || path.startsWith("/auth/") || path.startsWith("/auth?")
    ? "auth"
    : "store";
}

// A path segment kept as written: a lowercase word or words joined by `-` (`line-items`,
// `payment-collections`, `me`, `emailpass`), as the Store API's own route segments are. Medusa
// ids (`cart_01H…`, `pay_col_01H…`) always carry `_` and digits, so they never match.
const ROUTE_WORD = /^[a-z]+(?:-[a-z]+)*$/;
const MAX_WORD = 40;
const MAX_SEGMENTS = 8;

/**
 * The path with every segment that is not a route word replaced by `:id`, and without its query
 * string: a value of low cardinality, fit for a metric attribute or a span name (OpenTelemetry's
 * `http.route`). Anything that may be data (a Medusa id such as `cart_01H…`, a number, a UUID, a
 * handle with digits, a percent-encoded value, an email) becomes `:id`, so no id or personal
 * value reaches a telemetry backend; a path deeper than 8 segments ends in `/…`.
 *
 * @example
 * ```ts
 * lowCardinalityRoute("/store/carts/cart_01HZX4Q9B2Y7C8D9E0F1G2H3J4/line-items/cali_01HZX4QA?fields=id");
 * // "/store/carts/:id/line-items/:id"
 * ```
 */
export function lowCardinalityRoute(path: string): string {
  const q = path.indexOf("?");
  const bare = q === -1 ? path : path.slice(0, q);
  const segments = bare.split("/");
  let route = "";
  // segments[0] is the empty string before the leading "/".
  for (let i = 1; i < segments.length; i++) {
    if (i > MAX_SEGMENTS) return `${route}/…`;
    const segment = segments[i]!;
    route += segment === "" ? "/" : `/${isRouteWord(segment) ? segment : ":id"}`;
  }
  return route === "" ? "/" : route;
}

function isRouteWord(segment: string): boolean {
  return segment.length <= MAX_WORD && ROUTE_WORD.test(segment);
}
