import type { Request } from "express";
import { CrossSiteRequestError } from "../../lib/errors/errors.js";
import { refuseCrossSite } from "../../lib/http/csrf.js";

const csrf = { trustedOrigins: new Set(["https://shop.example.com"]), allowSameSite: false };

function req(method: string, headers: Record<string, string>, protocol = "https") {
  return {
    method,
    headers: { host: "api.example.com", ...headers },
    protocol,
  } as unknown as Request;
}
function refusal(request: Request, options: Parameters<typeof refuseCrossSite>[1] = csrf) {
  try {
    refuseCrossSite(request, options);
    return undefined;
  } catch (error) {
    return error;
  }
}

it.each(["GET", "HEAD", "OPTIONS"])(
  "lets a safe method (%s) through, even cross-site",
  (method) => {
    expect(
      refusal(req(method, { "sec-fetch-site": "cross-site", origin: "https://evil.test" })),
    ).toBeUndefined();
  },
);

it("lets everything through with csrf: false", () => {
  expect(refusal(req("POST", { "sec-fetch-site": "cross-site" }), false)).toBeUndefined();
});

it("lets a trusted Origin through whatever the browser says", () => {
  const r = req("POST", { "sec-fetch-site": "cross-site", origin: "https://shop.example.com" });
  expect(refusal(r)).toBeUndefined();
});

it.each<[string, Record<string, string>]>([
  ["cross-site", { "sec-fetch-site": "cross-site", origin: "https://evil.test" }],
  [
    "same-site without allowSameSite",
    { "sec-fetch-site": "same-site", origin: "https://a.example.com" },
  ],
  ["an untrusted Origin without Fetch Metadata", { origin: "https://evil.test" }],
  ["Origin null", { origin: "null" }],
  ["this host over another scheme", { origin: "http://api.example.com" }],
])("refuses %s with CrossSiteRequestError (BFF_CROSS_SITE)", (_, headers) => {
  const error = refusal(req("POST", headers));
  expect(error).toBeInstanceOf(CrossSiteRequestError);
  expect(error).toMatchObject({ code: "BFF_CROSS_SITE" });
});

it("says which check refused (for the storefront developer)", () => {
  const nul = refusal(req("DELETE", { origin: "null" })) as CrossSiteRequestError;
  const other = refusal(req("DELETE", { origin: "https://evil.test" })) as CrossSiteRequestError;
  expect(nul.detail).not.toBe(other.detail);
});

it.each<[string, Record<string, string>]>([
  ["same-origin", { "sec-fetch-site": "same-origin", origin: "https://evil.test" }],
  ["none (typed by the user)", { "sec-fetch-site": "none" }],
  ["this server's own Origin", { origin: "https://api.example.com" }],
  ["no header at all (not a browser)", {}],
])("lets %s through", (_, headers) => {
  expect(refusal(req("POST", headers))).toBeUndefined();
});

it("same-site passes with allowSameSite", () => {
  const r = req("PUT", { "sec-fetch-site": "same-site", origin: "https://a.example.com" });
  expect(refusal(r, { ...csrf, allowSameSite: true })).toBeUndefined();
});
