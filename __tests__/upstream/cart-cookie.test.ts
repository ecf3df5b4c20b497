/**
 * The guest's cart cookie on its own: httpOnly and host-only (`__Host-` over HTTPS), its value
 * the cart id, an expiry and an HMAC of both under the first key, verified under any key.
 * A value it did not sign, one past its expiry, a cookie sent twice and a request the browser
 * marks cross-site from an Origin the app does not trust name no cart.
 */
import { createHmac } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Request, Response } from "express";
import { CART_ID, CartCookie } from "../../lib/upstream/cart-cookie.js";
import type { ResolvedCookie } from "../../lib/session/cookie.js";
import { createClock } from "../helpers.js";

const KEY = "cart-key-that-is-at-least-32-characters";
const OLD_KEY = "old-key-that-is-at-least-32-characters!";
const ID = "cart_01HZX8Y2Q4";
const MONTH_S = 30 * 24 * 3600;
const TRUSTED = "https://shop.example";
const CONTEXT = "bff-session cart cookie\0";

const macOf = (text: string, key = KEY) =>
  createHmac("sha256", key)
    .update(CONTEXT + text)
    .digest("base64url");

const cookieOf = (cookie: Partial<ResolvedCookie> = {}): ResolvedCookie => ({
  name: "bff.sid",
  persistent: true,
  secure: false,
  sameSite: "lax",
  domain: undefined,
  path: "/",
  secrets: [],
  ...cookie,
});

function jar(
  options: {
    cookie?: Partial<ResolvedCookie>;
    keys?: string[];
    csrf?: false | string[];
    clock?: ReturnType<typeof createClock>;
  } = {},
) {
  const clock = options.clock ?? createClock();
  const csrf = options.csrf ?? [TRUSTED];
  const cart = new CartCookie({
    cookie: cookieOf(options.cookie),
    secrets: { hash: KEY, cartCookie: options.keys ?? [KEY], given: true },
    csrf: csrf === false ? false : { trustedOrigins: new Set(csrf), allowSameSite: false },
    now: clock.now,
  });
  return { cart, clock };
}

function req(cookie?: string, headers: Record<string, string> = {}): Request {
  return { headers: { ...headers, ...(cookie !== undefined && { cookie }) } } as unknown as Request;
}

function response(): Response {
  return new ServerResponse(new IncomingMessage(new Socket())) as unknown as Response;
}

const setCookies = (res: Response) =>
  ([] as string[]).concat((res.getHeader("Set-Cookie") as string | string[] | undefined) ?? []);

/** The `name=value` pair `cart` sets for `cartId`. */
function signed(cart: CartCookie, cartId = ID): string {
  const res = response();
  cart.set(res, cartId);
  return setCookies(res)[0]!.split(";")[0]!;
}

const valueOf = (pair: string) => pair.slice(pair.indexOf("=") + 1);

describe("CartCookie.set and read", () => {
  it("reads back the cart id it set, alone or among other cookies", () => {
    const { cart } = jar();
    const pair = signed(cart);
    expect(cart.read(req(pair))).toBe(ID);
    expect(cart.read(req(`theme=dark; ${pair}; bff.sid=abc`))).toBe(ID);
  });

  it("sets an httpOnly, host-only cookie named after the session cookie, kept for 30 days", () => {
    const { cart, clock } = jar({ cookie: { path: "/shop", domain: "shop.example" } });
    const res = response();
    cart.set(res, ID);
    const until = clock.seconds() + MONTH_S;
    expect(cart.name).toBe("bff.sid.cart");
    expect(setCookies(res)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^bff\\.sid\\.cart=${ID}\\.${until}\\.[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${MONTH_S}$`,
        ),
      ),
    ]);
  });

  it("over HTTPS is a __Host- cookie: Secure, Path=/ and no Domain, whatever the session cookie's", () => {
    const { cart } = jar({
      cookie: { name: "__Secure-bff.sid", secure: true, domain: "shop.example", path: "/shop" },
    });
    const res = response();
    cart.set(res, ID);
    expect(cart.name).toBe("__Host-bff.sid.cart");
    expect(setCookies(res)[0]).toMatch(
      /^__Host-bff\.sid\.cart=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=2592000$/,
    );
    expect(cart.read(req(signed(cart)))).toBe(ID);
  });

  it("as a browser-session cookie has no Max-Age, and its value still expires in 30 days", () => {
    const { cart, clock } = jar({ cookie: { persistent: false, sameSite: "strict" } });
    const res = response();
    cart.set(res, ID);
    expect(setCookies(res)[0]).toMatch(
      /^bff\.sid\.cart=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const pair = setCookies(res)[0]!.split(";")[0]!;
    clock.advance(MONTH_S * 1000);
    expect(cart.read(req(pair))).toBeUndefined();
  });

  it("adds its line to the Set-Cookie lines already on the response", () => {
    const { cart } = jar();
    const res = response();
    res.setHeader("Set-Cookie", "bff.sid=abc; Path=/");
    cart.set(res, ID);
    expect(setCookies(res)).toEqual([
      "bff.sid=abc; Path=/",
      expect.stringMatching(/^bff\.sid\.cart=/),
    ]);
  });
});

describe("the expiry, covered by the MAC", () => {
  it("names the cart up to the last millisecond before its expiry, and none from then on", () => {
    const { cart, clock } = jar();
    const pair = signed(cart);
    const until = Number(valueOf(pair).split(".")[1]) * 1000;
    clock.advance(until - 1 - clock.now());
    expect(cart.read(req(pair))).toBe(ID);
    clock.advance(1);
    expect(cart.read(req(pair))).toBeUndefined();
  });

  it("an expiry moved later under the same MAC names no cart", () => {
    const { cart } = jar();
    const [id, until, mac] = valueOf(signed(cart)).split(".");
    expect(cart.read(req(`bff.sid.cart=${id}.${Number(until) + MONTH_S}.${mac}`))).toBeUndefined();
  });
});

describe("a value this BFF did not sign", () => {
  const { cart } = jar();
  const value = valueOf(signed(cart));
  const [id, until, mac] = value.split(".") as [string, string, string];
  const flip = (c: string) => (c === "A" ? "B" : "A");

  it.each([
    ["a MAC changed in its first character", `${id}.${until}.${flip(mac[0]!)}${mac.slice(1)}`],
    [
      "a MAC changed in its last character",
      `${id}.${until}.${mac.slice(0, -1)}${flip(mac.at(-1)!)}`,
    ],
    ["a MAC one character short", `${id}.${until}.${mac.slice(0, -1)}`],
    ["a MAC one character long", `${id}.${until}.${mac}A`],
    ["another cart id under a real MAC", `cart_01HZX8Y2Q5.${until}.${mac}`],
    ["a cart id alone", id],
    ["no MAC", `${id}.${until}`],
    ["an empty MAC", `${id}.${until}.`],
    ["the signed value followed by an empty segment", `${value}.`],
    ["the signed value followed by another segment", `${value}.anything-at-all`],
    ["no expiry", `${id}.${mac}`],
    ["an expiry that is not digits", `${id}.+${until}.${mac}`],
    ["an empty value", ""],
    ["the value percent-encoded", value.replace(/_/g, "%5F")],
    ["a value over 200 characters that starts with a signed one", `${value}.${"A".repeat(150)}`],
  ])("names no cart: %s", (_name, tampered) => {
    expect(cart.read(req(`bff.sid.cart=${value}`))).toBe(ID);
    expect(cart.read(req(`bff.sid.cart=${tampered}`))).toBeUndefined();
  });

  it("names no cart for a value it signed under another key", () => {
    const { cart: other } = jar({ keys: ["another-key-that-is-at-least-32-chars"] });
    expect(cart.read(req(signed(other)))).toBeUndefined();
    expect(other.read(req(`bff.sid.cart=${value}`))).toBeUndefined();
  });

  it("names no cart for an HMAC of the same text under the same key outside the cart cookie's context", () => {
    const plain = createHmac("sha256", KEY).update(`${id}.${until}`).digest("base64url");
    expect(cart.read(req(`bff.sid.cart=${id}.${until}.${plain}`))).toBeUndefined();
  });

  it.each([
    ["an expiry of 13 digits", "000" + until],
    ["an expiry with a sign", `+${until}`],
    ["an expiry in exponent form", "1e12"],
  ])("names no cart for %s, even under its own MAC", (_name, badUntil) => {
    const text = `${id}.${badUntil}`;
    expect(cart.read(req(`bff.sid.cart=${text}.${macOf(text)}`))).toBeUndefined();
  });

  it("names no cart for an id it signed itself that is not one path segment", () => {
    for (const bad of ["../admin", "cart 1", "cart.1", "x".repeat(101)]) {
      expect([bad, cart.read(req(signed(cart, bad)))]).toEqual([bad, undefined]);
    }
  });
});

describe("the MAC", () => {
  it("is HMAC-SHA256 of `<id>.<expiry>` after a fixed context, so every instance and version verifies alike", () => {
    const { cart, clock } = jar();
    const until = `${clock.seconds() + MONTH_S}`;
    expect(valueOf(signed(cart))).toBe(`${ID}.${until}.${macOf(`${ID}.${until}`)}`);
  });
});

describe("key rotation", () => {
  it("signs with the first key and verifies with every key", () => {
    const clock = createClock();
    const { cart: before } = jar({ keys: [OLD_KEY], clock });
    const { cart: rotated } = jar({ keys: [KEY, OLD_KEY], clock });
    const { cart: newOnly } = jar({ keys: [KEY], clock });
    const { cart: oldOnly } = jar({ keys: [OLD_KEY], clock });
    expect(rotated.read(req(signed(before)))).toBe(ID);
    const fresh = signed(rotated);
    expect(newOnly.read(req(fresh))).toBe(ID);
    expect(oldOnly.read(req(fresh))).toBeUndefined();
  });

  it("takes keys given to the constructor over the options' cart cookie secrets", () => {
    const clock = createClock();
    const explicit = new CartCookie(
      {
        cookie: cookieOf(),
        secrets: { hash: OLD_KEY, cartCookie: [OLD_KEY], given: true },
        csrf: false,
        now: clock.now,
      },
      [KEY],
    );
    expect(jar({ keys: [KEY], clock }).cart.read(req(signed(explicit)))).toBe(ID);
    expect(jar({ keys: [OLD_KEY], clock }).cart.read(req(signed(explicit)))).toBeUndefined();
  });
});

describe("a cookie that is not this one, once", () => {
  const { cart } = jar();
  const pair = signed(cart);
  const { cart: sibling } = jar({ keys: ["sibling-key-that-is-at-least-32-chars"] });
  const planted = signed(sibling, "cart_01PLANTED");

  it.each([
    ["twice with the same value", `${pair}; ${pair}`],
    ["twice, a planted value first", `${planted}; ${pair}`],
    ["twice, a planted value second", `${pair}; ${planted}`],
    ["twice, without a space", `${pair};${pair}`],
    ["beside its bare name", `${pair}; bff.sid.cart`],
    ["beside a padded name", `${pair};  bff.sid.cart =x`],
  ])("names no cart sent %s, yet is present", (_name, header) => {
    expect(cart.read(req(header))).toBeUndefined();
    expect(cart.isPresent(req(header))).toBe(true);
  });

  it.each([
    ["inside another cookie's value", `x=${pair}`],
    ["inside another cookie's value after a space", `x=foo ${pair}`],
    ["under a longer name", `x${pair}`],
    ["under its name in capitals", pair.replace("bff.sid.cart", "BFF.SID.CART")],
  ])("is neither read nor present %s", (_name, header) => {
    expect(cart.read(req(header))).toBeUndefined();
    expect(cart.isPresent(req(header))).toBe(false);
  });

  it("is present with a value it cannot read, and absent without a Cookie header", () => {
    expect(cart.isPresent(req("bff.sid.cart=garbage"))).toBe(true);
    expect(cart.read(req("bff.sid.cart=garbage"))).toBeUndefined();
    expect(cart.isPresent(req())).toBe(false);
    expect(cart.read(req())).toBeUndefined();
    expect(cart.isPresent(req("bff.sid=abc"))).toBe(false);
  });
});

describe("Fetch Metadata: a request the browser marks cross-site", () => {
  const { cart } = jar();
  const pair = signed(cart);

  it.each<[string, Record<string, string>]>([
    ["without an Origin", { "sec-fetch-site": "cross-site" }],
    [
      "from an Origin the app does not trust",
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    ],
    ["from Origin null", { "sec-fetch-site": "cross-site", origin: "null" }],
    [
      "from a trusted Origin's sibling",
      { "sec-fetch-site": "cross-site", origin: "https://www.shop.example" },
    ],
  ])("names no cart for a cross-site request %s", (_name, headers) => {
    expect(cart.isCrossSite(req(pair, headers))).toBe(true);
    expect(cart.read(req(pair, headers))).toBeUndefined();
    expect(cart.isPresent(req(pair, headers))).toBe(true);
  });

  it("names the cart for a cross-site request from an Origin in csrf.trustedOrigins", () => {
    const headers = { "sec-fetch-site": "cross-site", origin: TRUSTED };
    expect(cart.isCrossSite(req(pair, headers))).toBe(false);
    expect(cart.read(req(pair, headers))).toBe(ID);
  });

  it.each<[string, Record<string, string>]>([
    ["same-origin", { "sec-fetch-site": "same-origin" }],
    ["same-site", { "sec-fetch-site": "same-site", origin: "https://www.shop.example" }],
    ["none (typed in, a bookmark)", { "sec-fetch-site": "none" }],
    ["absent, whatever the Origin", { origin: "https://evil.example" }],
  ])("names the cart when Sec-Fetch-Site is %s", (_name, headers) => {
    expect(cart.isCrossSite(req(pair, headers))).toBe(false);
    expect(cart.read(req(pair, headers))).toBe(ID);
  });

  it("with csrf: false names no cart for any cross-site request: no Origin is trusted", () => {
    const { cart: open } = jar({ csrf: false });
    const headers = { "sec-fetch-site": "cross-site", origin: TRUSTED };
    expect(open.isCrossSite(req(signed(open), headers))).toBe(true);
    expect(open.read(req(signed(open), headers))).toBeUndefined();
  });
});

describe("CartCookie.clear", () => {
  it("drops the cookie under the name and attributes it was set with, Max-Age=0 alone", () => {
    const { cart } = jar({ cookie: { path: "/shop", domain: "shop.example" } });
    const res = response();
    cart.clear(res);
    expect(setCookies(res)).toEqual(["bff.sid.cart=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"]);
  });

  it("over HTTPS drops the __Host- cookie", () => {
    const { cart } = jar({ cookie: { secure: true, sameSite: "none" } });
    const res = response();
    res.setHeader("Set-Cookie", ["a=1"]);
    cart.clear(res);
    expect(setCookies(res)).toEqual([
      "a=1",
      "__Host-bff.sid.cart=; Path=/; HttpOnly; Secure; SameSite=None; Max-Age=0",
    ]);
  });
});

describe("CART_ID", () => {
  it.each(["cart_01HZX8Y2Q4", "CART-1", "a", "x".repeat(100)])("takes %s as a cart id", (id) => {
    expect(CART_ID.test(id)).toBe(true);
  });

  it.each(["", "x".repeat(101), "cart/1", "cart.1", "..", "cart%2F1", "cart 1", "cart_1\n"])(
    "refuses %j as a cart id",
    (id) => {
      expect(CART_ID.test(id)).toBe(false);
    },
  );
});
