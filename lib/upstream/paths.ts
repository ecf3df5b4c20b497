/**
 * The path and query to send to the backend for a browser's URL under `prefix` (`/store`,
 * `/auth`), or undefined when the path could leave the prefix or be read differently by the
 * backend than here: a `.` or `..` segment (plain or percent-encoded), a backslash, an encoded
 * slash or backslash, an empty segment (`//`), a control character or a malformed escape.
 * Refusing beats normalising: the backend's router, not ours, would decide what a normalised
 * path means (OWASP: path traversal; CWE-22). The query string is kept as sent.
 *
 * @example
 * ```ts
 * upstreamPath("/store/products?limit=2", "/store"); // "/store/products?limit=2"
 * upstreamPath("/store/../admin/users", "/store");   // undefined
 * ```
 */
export function upstreamPath(url: string, prefix: "/store" | "/auth"): string | undefined {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  // Case as the backend's router reads it (Express matches routes case-insensitively).
  const head = path.slice(0, prefix.length).toLowerCase();
  if (head !== prefix || (path.length > prefix.length && path[prefix.length] !== "/"))
    return undefined;
  // Encoded separators, a backslash, and anything below 0x20 or DEL: never part of a Store
  // API path (Node refuses raw control characters in a request line; this is for the rest).
  if (/%(2f|5c|00)|\\/i.test(path) || hasControlCharacter(path)) return undefined;
  // Without a `%`, each segment is already what the backend decodes (no decode per segment).
  const encoded = path.includes("%");
  for (const segment of path.slice(1).split("/").slice(1)) {
    let decoded = segment;
    if (encoded) {
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    }
    if (decoded === "" || decoded === "." || decoded === "..") return undefined;
  }
  return url;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
