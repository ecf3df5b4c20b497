import { createHash } from "node:crypto";
import { INDEX_ADD, runScript, SESSION_ADD } from "../../lib/stores/redis-scripts.js";

it("each script is called by the SHA-1 of its text", () => {
  for (const script of [INDEX_ADD, SESSION_ADD]) {
    expect(script.sha).toBe(createHash("sha1").update(script.source).digest("hex"));
  }
  expect(SESSION_ADD.source).toContain(INDEX_ADD.source);
  expect(SESSION_ADD.sha).not.toBe(INDEX_ADD.sha);
});

it("runs a script by EVALSHA with its keys and arguments", async () => {
  const send = jest.fn(async () => ["x"]);
  await expect(runScript(send, INDEX_ADD, ["k"], ["1", "2"])).resolves.toEqual(["x"]);
  expect(send.mock.calls).toEqual([[["EVALSHA", INDEX_ADD.sha, "1", "k", "1", "2"]]]);
});

it("sends the text by EVAL only after NOSCRIPT", async () => {
  const send = jest
    .fn()
    .mockRejectedValueOnce(new Error("NOSCRIPT No matching script."))
    .mockResolvedValueOnce("done");
  await expect(runScript(send, SESSION_ADD, ["a", "b"], ["v"])).resolves.toBe("done");
  expect(send.mock.calls[1]).toEqual([["EVAL", SESSION_ADD.source, "2", "a", "b", "v"]]);
});

it("any other failure is passed on, without a second command", async () => {
  const down = new Error("READONLY You can't write against a read only replica.");
  const send = jest.fn().mockRejectedValue(down);
  await expect(runScript(send, INDEX_ADD, ["k"], [])).rejects.toBe(down);
  expect(send).toHaveBeenCalledTimes(1);
  const odd = jest.fn().mockRejectedValue("not an error");
  await expect(runScript(odd, INDEX_ADD, ["k"], [])).rejects.toBe("not an error");
});
