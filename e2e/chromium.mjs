// Debian's Chromium, as the browser tests launch it (not a test file itself). As root and
// with no network but the registries: no sandbox, no background networking.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
const inCi = process.env.CI === "true" || process.env.CI === "1";

/**
 * The browser, or, outside CI, a reason to skip the tests when Chromium is not installed. Under
 * CI=true a browser that does not start fails the run.
 */
export async function launchChromium() {
  try {
    return { browser: await chromium.launch({ executablePath: CHROMIUM, args: ARGS }) };
  } catch (error) {
    if (inCi) throw new Error(`Chromium did not start at ${CHROMIUM} (CI=true): ${error.message}`);
    const unavailable = `Chromium did not start at ${CHROMIUM}: ${error.message.split("\n")[0]}`;
    console.warn(
      `\n  !!! browser test SKIPPED: ${unavailable}\n  !!! install it with: apt-get install -y chromium\n`,
    );
    return { unavailable };
  }
}

/** A persistent profile in `dir` (its Default/Preferences may be written first). */
export function launchProfile(dir) {
  return chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, args: ARGS });
}
