/**
 * Which Store API paths are cart paths, read as the backend's router reads them: `carts` in any
 * case or percent-encoded, the id segment decoded, the rest and the query kept as sent. Every
 * path the backend would route to a cart must reach the guard; no other path is one.
 */
import { cartPath, withCartId } from "../../lib/upstream/cart-path.js";

describe("cartPath", () => {
  it.each([
    ["/store/carts", { id: undefined, rest: "" }],
    ["/store/carts?fields=id", { id: undefined, rest: "?fields=id" }],
    [
      "/store/carts?next=/store/carts/cart_1/x",
      { id: undefined, rest: "?next=/store/carts/cart_1/x" },
    ],
    ["/store/carts/cart_01H", { id: "cart_01H", rest: "" }],
    ["/store/carts/current", { id: "current", rest: "" }],
    ["/store/carts/current/line-items?fields=id", { id: "current", rest: "/line-items?fields=id" }],
    ["/store/carts/cart_1/line-items/li_1", { id: "cart_1", rest: "/line-items/li_1" }],
    ["/store/carts/cart_1?next=/a/b", { id: "cart_1", rest: "?next=/a/b" }],
    ["/store/carts/cart_1/complete?x=a?b", { id: "cart_1", rest: "/complete?x=a?b" }],
  ])("reads %s", (path, expected) => {
    expect(cartPath(path)).toEqual(expected);
  });

  it.each([
    ["Carts", "/store/Carts/cart_1"],
    ["CARTS", "/store/CARTS/cart_1"],
    ["cArTs", "/store/cArTs/cart_1"],
    ["%63arts", "/store/%63arts/cart_1"],
    ["%43ARTS", "/store/%43ARTS/cart_1"],
    ["c%61rts", "/store/c%61rts/cart_1"],
    ["%63%61%72%74%73", "/store/%63%61%72%74%73/cart_1"],
  ])("reads `carts` spelled %s, as the backend routes it", (_spelling, path) => {
    expect(cartPath(path)).toEqual({ id: "cart_1", rest: "" });
  });

  it("reads a cart path under /STORE too, a prefix upstreamPath lets through in any case", () => {
    expect(cartPath("/STORE/Carts/cart_1/line-items")).toEqual({
      id: "cart_1",
      rest: "/line-items",
    });
  });

  it.each([
    ["cart%5F1", "cart_1"],
    ["%63art_1", "cart_1"],
    ["%63urrent", "current"],
    ["Cart_1", "Cart_1"],
    ["CURRENT", "CURRENT"],
    ["cart%201", "cart 1"],
  ])("decodes the id segment %s to %j, keeping its case", (segment, id) => {
    expect(cartPath(`/store/carts/${segment}/line-items`)).toEqual({ id, rest: "/line-items" });
  });

  it("keeps an id segment with a malformed escape as sent", () => {
    expect(cartPath("/store/carts/cart%E0%A4%A/x")).toEqual({ id: "cart%E0%A4%A", rest: "/x" });
  });

  it("keeps the rest and the query as sent, escapes included", () => {
    expect(cartPath("/store/carts/cart_1/line%2Ditems/li%5F1?q=%2F")).toEqual({
      id: "cart_1",
      rest: "/line%2Ditems/li%5F1?q=%2F",
    });
  });

  it.each([
    "/store/products",
    "/store/customers/me",
    "/store/collections",
    "/store/c",
    "/store/cart",
    "/store/cart/cart_1",
    "/store/cartsx/cart_1",
    "/store/xcarts/cart_1",
    "/store/carts-x",
    "/store/%2563arts/cart_1",
    "/store/%zzarts/cart_1",
    "/store/%63ustomers/me",
    "/store/products?next=/store/carts/cart_1",
    "/store/",
  ])("reads %s as no cart path", (path) => {
    expect(cartPath(path)).toBeUndefined();
  });
});

describe("withCartId", () => {
  it("puts the id in place of the id segment, under /store/carts as the backend spells it", () => {
    expect(withCartId(cartPath("/store/%63arts/current/line-items?fields=id")!, "cart_1")).toBe(
      "/store/carts/cart_1/line-items?fields=id",
    );
    expect(withCartId(cartPath("/store/Carts/current")!, "cart_1")).toBe("/store/carts/cart_1");
  });

  it("puts the id in as given: encoding it is the caller's part", () => {
    expect(withCartId({ id: "current", rest: "?a=1" }, "cart%201")).toBe(
      "/store/carts/cart%201?a=1",
    );
  });
});
