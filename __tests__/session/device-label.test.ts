import { deviceLabel } from "../../lib/session/device-label.js";

it.each([
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Firefox on Windows",
  ],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Safari on iOS (mobile)",
  ],
  [
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Safari on iOS (tablet)",
  ],
])("%s → %s", (userAgent, label) => {
  expect(deviceLabel(userAgent)).toBe(label);
});

it("undefined without a User-Agent", () => {
  expect(deviceLabel(undefined)).toBeUndefined();
  expect(deviceLabel("")).toBeUndefined();
});

// bowser 2.x names an unrecognised browser "" (not undefined): these pin the documented fallbacks.
it("the raw string when neither browser nor system is recognised", () => {
  expect(deviceLabel("my-script/1.0")).toBe("my-script/1.0");
  expect(deviceLabel("curl/8.5.0")).toBe("curl/8.5.0");
});

it('"A browser" when only the system is recognised', () => {
  expect(deviceLabel("Something (Windows NT 10.0)")).toBe("A browser on Windows");
});
