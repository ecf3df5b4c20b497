import { connection } from "../../lib/stores/redis-client.js";

it("an ioredis-style client: call(command, ...args); one server only when isCluster is false", async () => {
  const call = jest.fn(async () => "OK");
  const { send, single } = connection({ call, isCluster: false } as never);
  await expect(send(["SET", "k", "v"])).resolves.toBe("OK");
  expect(call).toHaveBeenCalledWith("SET", "k", "v");
  expect(single).toBe(true);
  expect(connection({ call, isCluster: true } as never).single).toBe(false);
  expect(connection({ call }).single).toBe(false);
});

it("a node-redis client: sendCommand([command, ...args]), one server", async () => {
  const sendCommand = jest.fn(async () => 1);
  const { send, single } = connection({ sendCommand });
  await send(["DEL", "k"]);
  expect(sendCommand).toHaveBeenCalledWith(["DEL", "k"]);
  expect(single).toBe(true);
});

it("a node-redis cluster: routed by each command's key, reads marked read-only", async () => {
  const sendCommand = jest.fn(async () => null);
  const { send, single } = connection({ sendCommand, getSlotMaster: () => ({}) });
  expect(single).toBe(false);
  await send(["GET", "a"]);
  await send(["SET", "b", "v"]);
  await send(["ZRANGE", "c", "0", "-1"]);
  await send(["EVALSHA", "sha", "2", "k1", "k2", "arg"]);
  expect(sendCommand.mock.calls).toEqual([
    ["a", true, ["GET", "a"]],
    ["b", false, ["SET", "b", "v"]],
    ["c", true, ["ZRANGE", "c", "0", "-1"]],
    ["k1", false, ["EVALSHA", "sha", "2", "k1", "k2", "arg"]],
  ]);
});

it.each<[string, unknown]>([
  ["undefined", undefined],
  ["null", null],
  ["an object without a command method", { get() {} }],
  ["call that is not a function", { call: "yes" }],
])("refuses %s with a TypeError naming the option", (_, client) => {
  expect(() => connection(client as never)).toThrow(
    expect.objectContaining({ name: "TypeError", message: expect.stringContaining('"client"') }),
  );
});
