// `npm start`'s environment: a missing or bad variable gets a sentence naming the variable the
// user sets, before anything listens. Runs the built example (npm run test:e2e builds it).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";

/** Runs the example with exactly these variables (none of the caller's MEDUSA_*, PORT, HOST). */
function runExample(vars) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(MEDUSA_|PORT$|HOST$|NODE_ENV$)/.test(name)),
  );
  const child = spawn(process.execPath, ["example-app/dist/server.js"], {
    env: { ...env, ...vars },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return { child, output: () => ({ stdout, stderr }) };
}

/** The exit code and output; an example still running after 10 s is stopped ("running"). */
async function exitOf(vars) {
  const { child, output } = runExample(vars);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const code = await new Promise((resolve) =>
    child.on("exit", (exitCode) => resolve(exitCode ?? "running")),
  );
  clearTimeout(timer);
  return { code, ...output() };
}

test("Medusa mode without MEDUSA_JWT_SECRET names MEDUSA_JWT_SECRET, not JWT_SECRET", async () => {
  const { code, stdout, stderr } = await exitOf({
    MEDUSA_URL: "http://127.0.0.1:9",
    MEDUSA_PUBLISHABLE_KEY: "pk_test",
    PORT: "0",
  });
  assert.equal(code, 1);
  assert.match(stderr, /needs:\n {2}MEDUSA_JWT_SECRET: the backend's JWT_SECRET\n/);
  assert.doesNotMatch(stderr, /MEDUSA_PUBLISHABLE_KEY:/);
  assert.match(stderr, /npm run medusa/);
  assert.doesNotMatch(stderr, /hmacSecret|environment variable \(JWT_SECRET\)|\n\s+at /);
  assert.equal(stdout, "");
});

test("Medusa mode without MEDUSA_PUBLISHABLE_KEY names it", async () => {
  const { code, stderr } = await exitOf({
    MEDUSA_URL: "http://127.0.0.1:9",
    MEDUSA_JWT_SECRET: "a-secret-of-the-backend-at-least-32-bytes",
    PORT: "0",
  });
  assert.equal(code, 1);
  assert.match(stderr, /\n {2}MEDUSA_PUBLISHABLE_KEY: /);
  assert.doesNotMatch(stderr, /MEDUSA_JWT_SECRET:/);
});

test("a PORT that is not a number is named", async () => {
  const { code, stderr } = await exitOf({ PORT: "abc" });
  assert.equal(code, 1);
  assert.match(stderr, /^PORT=abc is not a port number/);
});

/** The URL the example prints once it listens; rejects if it exits first. */
function listeningUrl({ child, output }) {
  return new Promise((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(output().stdout);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`exited ${code}: ${output().stderr}`)));
  });
}

test("PORT and HOST from the environment; the URL printed is the one it listens on", async () => {
  const example = runExample({ PORT: "0", HOST: "127.0.0.1" });
  try {
    const url = await listeningUrl(example);
    assert.notEqual(new URL(url).port, "3000");
    const res = await fetch(`${url}/auth/session`);
    assert.equal(res.status, 401);
  } finally {
    example.child.kill("SIGTERM");
  }
});

test(
  "BFF_TELEMETRY=console prints the spans of forwarded calls; unset, none",
  { timeout: 20_000 },
  async () => {
    const span = /name: 'bff-session forward GET \/store\/regions'/;
    for (const setting of ["console", undefined]) {
      const example = runExample({ PORT: "0", HOST: "127.0.0.1", BFF_TELEMETRY: setting });
      try {
        const url = await listeningUrl(example);
        const res = await fetch(`${url}/store/regions`);
        assert.equal(res.status, 200);
        await res.arrayBuffer();
        if (setting === undefined) {
          // The span would print as the answer ends; give a wrongly printed one time to show.
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.doesNotMatch(example.output().stdout, /bff-session forward/);
        } else {
          while (!span.test(example.output().stdout))
            await new Promise((resolve) => example.child.stdout.once("data", resolve));
          assert.match(example.output().stdout, /'http.response.status_code': 200/);
        }
      } finally {
        example.child.kill("SIGTERM");
      }
    }
  },
);
