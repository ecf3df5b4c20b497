import Bowser from "bowser";

/**
 * A label a person recognises for a session's device, from its User-Agent, through bowser (a
 * well-kept parser): "Firefox on Windows", "Safari on iOS (mobile)". Undefined without a
 * User-Agent; the raw string when bowser recognises neither browser nor system. Computed when
 * sessions are listed, from the User-Agent stored at sign-in: nothing is parsed on a login.
 */
export function deviceLabel(userAgent: string | undefined): string | undefined {
  if (userAgent === undefined || userAgent === "") return undefined;
  const { browser, os, platform } = Bowser.parse(userAgent);
  // bowser names what it does not know "", not undefined.
  const name = browser.name || undefined;
  const system = os.name || undefined;
  if (name === undefined && system === undefined) return userAgent;
  const on = system === undefined ? "" : ` on ${system}`;
  const kind =
    platform.type === "mobile" || platform.type === "tablet" ? ` (${platform.type})` : "";
  return `${name ?? "A browser"}${on}${kind}`;
}
