import type { Request } from "express";
import { CrossSiteRequestError } from "../errors/errors.js";
import type { ResolvedOptions } from "../options/types.js";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses a state-changing request that a browser marks as coming from another site, so a
 * page elsewhere cannot ride the customer's cookie (OWASP CSRF Prevention Cheat Sheet:
 * "Fetch Metadata" and "Verifying Origin With Standard Headers"). SameSite=Lax alone is not
 * enough: it lets same-site subdomains through and is only as good as every browser's
 * implementation. Requests with neither header come from non-browser clients, which cannot
 * send a victim's cookie, and pass.
 *
 * Throws CrossSiteRequestError (403) when the request must not proceed.
 */
export function refuseCrossSite(req: Request, csrf: ResolvedOptions["csrf"]): void {
  const refused = crossSiteRefusal(req, csrf);
  if (refused !== undefined) throw refused;
}

function crossSiteRefusal(
  req: Request,
  csrf: ResolvedOptions["csrf"],
): CrossSiteRequestError | undefined {
  if (csrf === false || SAFE_METHODS.has(req.method)) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined && csrf.trustedOrigins.has(origin)) return undefined;

  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site")
    return new CrossSiteRequestError(
      "the browser marked it cross-site, and its Origin is not in csrf.trustedOrigins",
    );
  if (site === "same-site" && !csrf.allowSameSite)
    return new CrossSiteRequestError(
      "the browser marked it same-site (another subdomain or port), and its Origin is not in csrf.trustedOrigins; csrf.allowSameSite is off",
    );
  if (site === "same-origin" || site === "same-site" || site === "none") return undefined;

  if (origin === undefined) return undefined;
  // Behind a proxy, req.protocol honours Express's "trust proxy"; the Host header is what the
  // browser addressed. A proxy that rewrites Host needs the public origin in trustedOrigins.
  if (origin === `${req.protocol}://${req.headers.host}`) return undefined;
  return new CrossSiteRequestError(
    origin === "null"
      ? "Origin is null (a sandboxed or privacy-sensitive context)"
      : "its Origin is neither this server's nor in csrf.trustedOrigins",
  );
}
