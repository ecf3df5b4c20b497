/**
 * The README and docs/*.md run as pasted. Every fenced ts/js/mjs/sh block is a file (its first
 * line names it: `// bff.mjs`), a command (sh), or is marked on the line before it with
 * `<!-- fragment: why -->` or `<!-- not run: why -->`. For each page the files are written
 * into a folder where `bff-session` resolves to this repository's lib/ (transpiled here, so no
 * build is needed) and the page's commands run in order, as a reader would run them: a command
 * that prints a URL is a server, which answers real requests and is stopped at the end; any
 * other command must exit 0. TypeScript files and fragments are type-checked against lib/.
 *
 * Addresses a reader would have are mapped to the test's: the docs' Medusa at
 * http://127.0.0.1:9000 is a stub backend here, their BFF at http://127.0.0.1:3000 is the last
 * server the page started, redis:// and postgres:// URLs are the test servers', and
 * `npx tsx F.ts` runs F.ts with its types stripped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { jwtVerify, SignJWT } from "jose";
import pg from "pg";
import ts from "typescript";
import { CUSTOMER } from "./helpers.js";

const ROOT = path.resolve(__dirname, "..");
const RUN = path.join(__dirname, ".snippets-run");
const PAGES = [
  "README.md",
  ...readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];
const LANGS = new Set(["ts", "js", "mjs", "sh"]);
const FILE_NAME = /^\/\/ ([\w.-]+\.(?:mjs|js|ts))\b/;
const MARKER = /^<!-- (fragment|not run): (\S.*) -->$/;

interface Block {
  page: string;
  line: number;
  lang: string;
  code: string;
  marker?: "fragment" | "not run";
  file?: string;
}

/** The fenced blocks of a page, with the marker on the line before each, if any. */
function blocksOf(page: string): Block[] {
  const lines = readFileSync(path.join(ROOT, page), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.indexOf("```", i + 1);
    const code = lines.slice(i + 1, end).join("\n") + "\n";
    const marker = MARKER.exec(lines[i - 1] ?? "");
    const file = FILE_NAME.exec(code);
    blocks.push({
      page,
      line: i + 1,
      lang: open[1]!,
      code,
      ...(marker ? { marker: marker[1] as Block["marker"] } : {}),
      ...(file && !marker ? { file: file[1]! } : {}),
    });
    i = end;
  }
  return blocks.filter((b) => LANGS.has(b.lang));
}

const BLOCKS = PAGES.flatMap(blocksOf);
const where = (b: Block) => `${b.page}:${b.line}`;

it("finds the snippets of every page", () => {
  expect(PAGES).toEqual(
    expect.arrayContaining(["README.md", "docs/upstream.md", "docs/stores.md"]),
  );
  expect(BLOCKS.filter((b) => b.file !== undefined).length).toBeGreaterThanOrEqual(10);
});

it.each(BLOCKS.map((b) => [where(b), b] as const))(
  "%s is a file, a command, or marked as a fragment",
  (_, b) => {
    if (b.marker !== undefined || b.lang === "sh") return;
    expect(`${where(b)}: ${b.file ?? "no file name on its first line, and no marker"}`).toMatch(
      new RegExp(`\\.${b.lang === "ts" ? "ts" : "m?js"}$`),
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Type-checking: TypeScript files as modules on their own; fragments with the few names the
// prose around them assumes (your keys, your customer store, your cluster's nodes).

const PRELUDE = `
import type { CustomerStore, KeySource } from "bff-session";
declare global {
  const keys: KeySource;
  const customers: CustomerStore;
  const nodes: Array<{ host: string; port: number }>;
}
export {};
`;

function typeCheck(blocks: Block[], prelude: string | undefined): Map<Block, string[]> {
  const dir = path.join(ROOT, "__snippets__");
  const files = new Map<string, string>();
  if (prelude !== undefined) files.set(path.join(dir, "prelude.ts"), prelude);
  const byFile = new Map<string, Block>();
  blocks.forEach((b, i) => {
    const name = path.join(dir, `block-${i}.ts`);
    files.set(name, `${b.code}\nexport {};\n`);
    byFile.set(name, b);
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    paths: {
      "bff-session": [path.join(ROOT, "lib/index.ts")],
      "bff-session/testing": [path.join(ROOT, "lib/testing/index.ts")],
    },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? read(name);
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || exists(name);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) =>
    files.has(name)
      ? ts.createSourceFile(name, files.get(name)!, language)
      : getSource(name, language, onError);
  const program = ts.createProgram([...files.keys()], options, host);
  const result = new Map<Block, string[]>(blocks.map((b) => [b, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const block = byFile.get(d.file?.fileName ?? "");
    if (block === undefined) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    result
      .get(block)!
      .push(`line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  return result;
}

describe("TypeScript snippets type-check", () => {
  const tsFiles = BLOCKS.filter((b) => b.lang === "ts" && b.file !== undefined);
  const tsFragments = BLOCKS.filter((b) => b.lang === "ts" && b.marker === "fragment");
  let diagnostics: Map<Block, string[]>;
  beforeAll(() => {
    diagnostics = new Map([...typeCheck(tsFiles, undefined), ...typeCheck(tsFragments, PRELUDE)]);
  }, 60_000);
  it.each([...tsFiles, ...tsFragments].map((b) => [where(b), b] as const))("%s", (_, b) => {
    expect(diagnostics.get(b)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Running: bff-session as a package, a stub Medusa, and each page's commands in order.

/** lib/ transpiled to ESM as node_modules/bff-session, beside the pages' folders. */
function installPackage(): void {
  const out = path.join(RUN, "node_modules", "bff-session");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
    );
  for (const source of walk(path.join(ROOT, "lib")).filter((f) => f.endsWith(".ts"))) {
    const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    });
    const target = path.join(out, path.relative(path.join(ROOT, "lib"), source));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
  }
  writeFileSync(
    path.join(out, "package.json"),
    JSON.stringify({
      name: "bff-session",
      type: "module",
      exports: { ".": "./index.js", "./testing": "./testing/index.js" },
    }),
  );
}

/** A Medusa stand-in: emailpass sign-in, the customer, refresh; signs with `secret`. */
async function stubMedusa() {
  const state = { secret: "supersecret" };
  const key = () => new TextEncoder().encode(state.secret);
  const sign = () =>
    new SignJWT({
      actor_id: CUSTOMER.id,
      actor_type: "customer",
      auth_identity_id: "authid_1",
      app_metadata: { customer_id: CUSTOMER.id },
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key());
  const app = express();
  app.post("/auth/customer/emailpass", express.json(), async (req, res) => {
    if ((req.body as { password?: string }).password !== "a-password-of-jane")
      return void res
        .status(401)
        .json({ type: "unauthorized", message: "Invalid email or password" });
    res.json({ token: await sign() });
  });
  app.post("/auth/token/refresh", async (_req, res) => void res.json({ token: await sign() }));
  app.get("/store/customers/me", async (req, res) => {
    try {
      await jwtVerify(String(req.headers.authorization).replace(/^Bearer /, ""), key());
      res.json({ customer: CUSTOMER });
    } catch {
      res.status(401).send("Unauthorized");
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

interface Ran {
  url?: string;
  code?: number | null;
  output: string;
}

/** Runs a command in `cwd`; resolves when it prints a URL (a server) or exits. */
function run(command: string, cwd: string, children: ChildProcess[]): Promise<Ran> {
  const child = spawn("sh", ["-c", command], {
    cwd,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
    },
  });
  children.push(child);
  let output = "";
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ output: `${output}\n(timed out)` }), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /https?:\/\/[\w.:[\]-]+/.exec(output);
      if (url !== null) {
        clearTimeout(timer);
        resolve({ url: url[0], output });
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const cookieOf = (res: Response) => res.headers.getSetCookie()[0]?.split(";")[0] ?? "";

/** Sign-in with a JWT of the examples' customer, then the route behind authenticate() if any. */
async function signInWithJwt(url: string, secret: string, authenticated: boolean) {
  const token = await new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(secret));
  const login = await fetch(`${url}/auth/session`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  expect([login.status, await login.json()]).toEqual([
    200,
    { user: expect.objectContaining({ id: "cus_1", email: "jane@example.com" }) },
  ]);
  const cookie = cookieOf(login);
  const session = await fetch(`${url}/auth/session`, { headers: { cookie } });
  expect(session.status).toBe(200);
  if (!authenticated) return;
  const me = await fetch(`${url}/store/customers/me`, { headers: { cookie } });
  expect(await me.json()).toEqual({ customer_id: "cus_1" });
}

/** Sign-in through the BFF to the stub Medusa, the stand-in, then /store/* as the customer. */
async function signInThroughMedusa(url: string) {
  const signIn = await fetch(`${url}/auth/customer/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: CUSTOMER.email, password: "a-password-of-jane" }),
  });
  const { token: standIn } = (await signIn.json()) as { token: string };
  expect([signIn.status, standIn]).toEqual([200, expect.stringMatching(/^bffsi_/)]);
  const cookie = cookieOf(signIn);
  const session = await fetch(`${url}/auth/session`, {
    method: "POST",
    headers: { authorization: `Bearer ${standIn}`, cookie },
  });
  expect(session.status).toBe(200);
  const me = await fetch(`${url}/store/customers/me`, { headers: { cookie } });
  expect([me.status, ((await me.json()) as { customer: { id: string } }).customer.id]).toEqual([
    200,
    CUSTOMER.id,
  ]);
}

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DATABASE_URL } = require("../scripts/test-database.cjs") as { DATABASE_URL: string };

beforeAll(() => {
  rmSync(RUN, { recursive: true, force: true });
  installPackage();
});

// Pages with no command (security.md, say) have nothing to run.
const RUNNABLE = PAGES.filter((page) =>
  BLOCKS.some((b) => b.page === page && b.lang === "sh" && b.marker === undefined),
);

describe.each(RUNNABLE)("%s runs as pasted", (page) => {
  const blocks = BLOCKS.filter((b) => b.page === page);
  const commands = blocks.filter((b) => b.lang === "sh" && b.marker === undefined);
  const dir = path.join(RUN, page.replace(/\W/g, "_"));
  const children: ChildProcess[] = [];
  let medusa: Awaited<ReturnType<typeof stubMedusa>>;
  let bff: string | undefined;

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const b of blocks.filter((b) => b.file !== undefined)) {
      const code =
        b.lang === "ts"
          ? ts.transpileModule(b.code, {
              compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
            }).outputText
          : b.code;
      writeFileSync(path.join(dir, b.lang === "ts" ? `${b.file}.mjs` : b.file!), code);
    }
    medusa = await stubMedusa();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
    await medusa?.close();
  });

  it.each(commands.map((b) => [where(b), b] as const))(
    "%s",
    async (_, b) => {
      const usesRedis = /redis:\/\//.test(b.code);
      const usesPg = /postgres:\/\//.test(b.code);
      if (
        (usesRedis && process.env.BFF_TEST_REDIS === "0") ||
        (usesPg && process.env.BFF_TEST_PG === "0")
      )
        return console.warn(`${where(b)} SKIPPED: its server is not running`);
      const command = b.code
        .replace(/http:\/\/127\.0\.0\.1:9000/g, medusa.url)
        .replace(/http:\/\/127\.0\.0\.1:3000/g, bff ?? "http://127.0.0.1:1")
        .replace(/redis:\/\/\S+/g, REDIS_URL)
        .replace(/postgres:\/\/\S+/g, DATABASE_URL)
        .replace(/npx tsx (\S+\.ts)\b/g, "node $1.mjs")
        .trim();
      const secret = /(?:MEDUSA_)?JWT_SECRET=(\S+)/.exec(command)?.[1];
      if (secret !== undefined) medusa.state.secret = secret;
      const script = /node (?:--test )?(\S+)/.exec(command)?.[1];
      const source = script ? readFileSync(path.join(dir, script), "utf8") : "";

      const ran = await run(command, dir, children);
      if (ran.url === undefined) {
        expect(ran).toEqual({ code: 0, output: expect.any(String) });
        if (script === "sdk-node.mjs")
          expect(ran.output).toContain(`signed in as ${CUSTOMER.email}`);
        return;
      }
      bff = ran.url;
      const session = await fetch(`${ran.url}/auth/session`);
      expect([session.status, ran.output]).toEqual([401, expect.any(String)]);
      if (source.includes("upstream:")) await signInThroughMedusa(ran.url);
      else await signInWithJwt(ran.url, secret!, source.includes("authenticate()"));
    },
    30_000,
  );
});

afterAll(async () => {
  rmSync(RUN, { recursive: true, force: true });
  // The PostgreSQL example creates its table in the test database.
  if (process.env.BFF_TEST_PG !== "0") {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(
      "DROP TABLE IF EXISTS bff_sessions, bff_sessions_used_tokens, bff_sessions_attempts, bff_sessions_records",
    );
    await client.end();
  }
  // Redis keys the examples wrote (sessions, sign-in counts) expire on their own.
});
