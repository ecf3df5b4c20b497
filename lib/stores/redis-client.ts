/**
 * The one method bff-session needs from a Redis client. ioredis (`Redis` and `Cluster`) has
 * `call(command, ...args)`; a node-redis v4/v5 client has `sendCommand([command, ...args])`; a
 * node-redis cluster (`createCluster()`) has `sendCommand(firstKey, isReadonly, args)` and is
 * told apart by its `getSlotMaster()`. Any of them is used as given: the store never connects,
 * quits or reconfigures it (connect-redis's rule).
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const client: RedisClientLike = await createClient({ url: process.env.REDIS_URL }).connect();
 * new RedisSessionStore({ client });
 * ```
 */
export type RedisClientLike =
  | { call(command: string, ...args: Array<string | number>): Promise<unknown> }
  | { sendCommand(args: string[]): Promise<unknown> }
  | {
      sendCommand(firstKey: string, isReadonly: boolean, args: string[]): Promise<unknown>;
      getSlotMaster(slot: number): unknown;
    };

/** Sends one command (`[name, ...args]`) through whichever client the app handed in. */
export type Send = (args: string[]) => Promise<unknown>;

/**
 * How commands reach the client, and whether it talks to one server: an ioredis `Redis` (not a
 * `Cluster`) or a node-redis client (not a cluster). A `call` client that does not say it is
 * no cluster is taken for one, which only costs a sign-in a second command.
 */
export function connection(client: RedisClientLike | undefined): { send: Send; single: boolean } {
  if (client !== null && typeof client === "object") {
    if ("call" in client && typeof client.call === "function") {
      return {
        send: ([command, ...args]) => client.call(command!, ...args),
        single: (client as { isCluster?: unknown }).isCluster === false,
      };
    }
    if ("sendCommand" in client && typeof client.sendCommand === "function") {
      if ("getSlotMaster" in client && typeof client.getSlotMaster === "function") {
        // A node-redis cluster routes by the key it is given: each command here has one.
        return {
          send: (args) => client.sendCommand(keyOf(args), READONLY.has(args[0]!), args),
          single: false,
        };
      }
      const one = client as { sendCommand(args: string[]): Promise<unknown> };
      return { send: (args) => one.sendCommand(args), single: true };
    }
  }
  throw new TypeError(
    'RedisSessionStore: option "client" must be a connected ioredis client or Cluster, or a node-redis client or cluster (createClient/createCluster)',
  );
}

/** Commands a node-redis cluster may send to a replica. */
const READONLY: ReadonlySet<string> = new Set(["GET", "ZRANGE"]);

/** The key a command touches: after `numkeys` for scripts, else the first argument. */
function keyOf(args: string[]): string {
  return args[0] === "EVALSHA" || args[0] === "EVAL" ? args[3]! : args[1]!;
}
