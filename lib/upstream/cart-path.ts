/**
 * A Store API path under `/store/carts`, as the cart rules read it: the cart id it names
 * (undefined for `/store/carts` itself), and what follows the id (`/line-items/…`, the query).
 */
export interface CartPath {
  /** The id segment, percent-decoded as the backend's router decodes it; `current` stands for the browser's cart. */
  id: string | undefined;
  /** The rest of the path after the id, and the query, as sent: `/complete?fields=id`. */
  rest: string;
}

/**
 * Reads `path` (already judged by `upstreamPath`: no dot segments, no encoded slashes) as a
 * cart path, or undefined when it is not one. The backend matches routes case-insensitively and
 * decodes percent escapes, so `/store/Carts/…` and `/store/%63arts/…` are cart paths too: the
 * guard must see every path the backend would route to a cart. The common case, any other
 * Store API path, costs a character compare.
 *
 * @example
 * ```ts
 * cartPath("/store/carts/current/line-items?fields=id"); // { id: "current", rest: "/line-items?fields=id" }
 * cartPath("/store/products");                            // undefined
 * ```
 */
export function cartPath(path: string): CartPath | undefined {
  // "/store/" is 7 characters; "carts" starts with a c (or an escape of one).
  const first = path.charCodeAt(7);
  if (first !== 99 /* c */ && first !== 67 /* C */ && first !== 37 /* % */) return undefined;
  const q = path.indexOf("?");
  const pathname = q === -1 ? path : path.slice(0, q);
  const query = q === -1 ? "" : path.slice(q);
  const end = pathname.indexOf("/", 7);
  const second = pathname.slice(7, end === -1 ? undefined : end);
  if (decode(second).toLowerCase() !== "carts") return undefined;
  if (end === -1) return { id: undefined, rest: query };
  const idEnd = pathname.indexOf("/", end + 1);
  const id = decode(pathname.slice(end + 1, idEnd === -1 ? undefined : idEnd));
  return { id, rest: (idEnd === -1 ? "" : pathname.slice(idEnd)) + query };
}

/** The backend path of `target` with `cartId` in place of its id segment. */
export function withCartId(target: CartPath, cartId: string): string {
  return `/store/carts/${cartId}${target.rest}`;
}

function decode(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
