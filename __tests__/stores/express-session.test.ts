import session from "express-session";
import {
  createSessionRouter,
  fromExpressSessionStore,
  hmacSecret,
  type SessionRouterOptions,
} from "../../lib/index.js";
import { SECRET } from "../helpers.js";

const adapter = () => fromExpressSessionStore(new session.MemoryStore());
const build = (options: Partial<SessionRouterOptions>) => () =>
  createSessionRouter({
    keys: hmacSecret(SECRET),
    customers: { retrieve: async () => null },
    sessions: adapter(),
    ...options,
  });

describe("fromExpressSessionStore", () => {
  it("has no consumeTokenId: it cannot claim a value once", () => {
    expect(adapter().consumeTokenId).toBeUndefined();
  });

  it("cannot be combined with upstream: createSessionRouter throws a TypeError saying why", () => {
    const router = build({ upstream: { baseUrl: "http://127.0.0.1:9000" } });
    expect(router).toThrow(TypeError);
    expect(router).toThrow(
      'option "sessions": this store cannot claim a value once (consumeTokenId), which "upstream" needs for single-use stand-ins and de-duplicated refresh',
    );
  });

  it("nor with token.singleUse", () => {
    const router = build({ token: { singleUse: true } });
    expect(router).toThrow(TypeError);
    expect(router).toThrow(/\(consumeTokenId\), which "token\.singleUse" needs/);
  });

  it("works for plain sessions", () => {
    expect(typeof build({})().authenticate).toBe("function");
  });

  it("refuses something that is not an express-session store", () => {
    expect(() => fromExpressSessionStore({} as never)).toThrow(
      "fromExpressSessionStore: expected an express-session store (get, set, destroy)",
    );
  });
});
