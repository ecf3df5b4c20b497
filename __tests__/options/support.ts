import { hmacSecret, MemorySessionStore, type SessionRouterOptions } from "../../lib/index.js";
import { resolveOptions } from "../../lib/options/resolve.js";
import { SECRET } from "../helpers.js";

/** The smallest valid options: a key source, a customer store, a memory store. */
export const base = (): SessionRouterOptions => ({
  keys: hmacSecret(SECRET),
  customers: { retrieve: async () => null },
  sessions: new MemorySessionStore({ sweepInterval: 0 }),
});

/** The TypeError `resolveOptions` throws for these options (fails the test if none). */
export function errorOf(options: unknown): TypeError {
  try {
    resolveOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return error as TypeError;
  }
  throw new Error("did not throw");
}

/** Options with `upstream` at this backend, plus `patch` into `upstream`. */
export const withUpstream = (patch: object = {}): SessionRouterOptions => ({
  ...base(),
  upstream: { baseUrl: "http://127.0.0.1:9000", ...patch },
});
