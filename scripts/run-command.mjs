// Shared by the scripts that start a server around a test command (redis-cluster.mjs,
// medusa-backend.mjs): the command after "--", and running it with the server's environment.
import { spawn } from "node:child_process";

/** The command after "--" in this script's arguments; exits with usage when there is none. */
export function commandAfterSeparator(script) {
  const separator = process.argv.indexOf("--");
  const command = separator === -1 ? [] : process.argv.slice(separator + 1);
  if (command.length === 0) {
    console.error(`usage: node scripts/${script} -- <command> [args…]`);
    process.exit(2);
  }
  return command;
}

/** Runs the command with `env` added, passing on Ctrl-C; resolves its exit code. */
export function runCommand(command, env) {
  const child = spawn(command[0], command.slice(1), {
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  const forward = (signal) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
}
