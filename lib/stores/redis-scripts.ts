import { createHash } from "node:crypto";
import type { Send } from "./redis-client.js";

/** A Lua script and the SHA-1 it is called by. */
export type Script = { source: string; sha: string };

// Adds a session to its customer's index, drops members whose absolute deadline has passed,
// keeps the index alive as long as its longest session, and, past the per-customer cap, removes
// and returns the lowest-scored members (the sessions whose absolute deadline comes first:
// with the default lifetimes, the oldest), never the new one. One key, so one slot.
export const INDEX_ADD = luaScript(`
local index, id = KEYS[1], ARGV[2]
redis.call('ZADD', index, ARGV[1], id)
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[3])
if redis.call('PTTL', index) < tonumber(ARGV[4]) then redis.call('PEXPIRE', index, ARGV[4]) end
local over = redis.call('ZCARD', index) - tonumber(ARGV[5])
local ended = {}
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', index, 0, over)) do
    if member ~= id and #ended < over then ended[#ended + 1] = member end
  end
  redis.call('ZREM', index, unpack(ended))
end
return ended`);
// The same, after writing the session itself (KEYS[2], ARGV[6] for PX ARGV[7]): a sign-in in
// one command, where session and index can be written together (one server, not a cluster).
export const SESSION_ADD = luaScript(
  `
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[7])${INDEX_ADD.source}`,
);

function luaScript(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Runs a script by its SHA-1, sending its text only when the server lacks it (after a restart,
 * a `SCRIPT FLUSH`, or on a cluster node that has not seen it yet).
 */
export async function runScript(
  send: Send,
  { source, sha }: Script,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const numKeys = String(keys.length);
  try {
    return await send(["EVALSHA", sha, numKeys, ...keys, ...args]);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
    return send(["EVAL", source, numKeys, ...keys, ...args]);
  }
}
