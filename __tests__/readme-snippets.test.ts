/**
 * Every TypeScript block of the README is type-checked against the package, so a snippet
 * cannot rot: a renamed option, a wrong import, a missing argument fails here. Each block is
 * its own module; the names a snippet takes from its surroundings (your app, your customers,
 * your key source) are declared in PRELUDE, and nothing else is.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import express, { type Express } from "express";
import { SignJWT } from "jose";
import request from "supertest";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");
const BLOCKS = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({
  index: i + 1,
  line: README.slice(0, m.index).split("\n").length + 1,
  code: m[1]!,
}));

// The surroundings a README snippet assumes, and only those.
const PRELUDE = `
import type { Express } from "express";
import type { CustomerStore, KeySource, SessionStore, StoreCustomerInput } from "bff-session";
declare global {
  const app: Express;
  const keys: KeySource;
  const customers: CustomerStore;
  const client: import("ioredis").Redis;
  const nodes: Array<{ host: string; port: number }>;
  const db: { findCustomer(id: string): Promise<StoreCustomerInput | null> };
  /** The reader's own store, in the conformance-kit snippet. */
  class MyStore implements SessionStore {
    constructor(options: { url?: string });
    get: SessionStore["get"];
    set: SessionStore["set"];
    touch: SessionStore["touch"];
    destroy: SessionStore["destroy"];
    close(): Promise<void>;
  }
}
export {};
`;

// The files live under the repository, so "express", "ioredis", "pg"… resolve as for the app.
const DIR = path.join(ROOT, "__readme__");
const file = (name: string) => path.join(DIR, name);

/** Type-checks every block in one program; the diagnostics of each block, by block index. */
function typeCheckAll(): Map<number, string[]> {
  const files = new Map<string, string>([[file("prelude.ts"), PRELUDE]]);
  for (const b of BLOCKS) files.set(file(`block-${b.index}.ts`), `${b.code}\nexport {};\n`);
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
  const byBlock = new Map<number, string[]>(BLOCKS.map((b) => [b.index, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const match = /block-(\d+)\.ts$/.exec(d.file?.fileName ?? "");
    if (match === null) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    byBlock
      .get(Number(match[1]))!
      .push(`line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  }
  return byBlock;
}

let diagnostics: Map<number, string[]>;
beforeAll(() => {
  diagnostics = typeCheckAll();
}, 60_000);

it("the README has TypeScript blocks to check", () => {
  expect(BLOCKS.length).toBeGreaterThanOrEqual(8);
});

it.each(BLOCKS.map((b) => [b.index, b.line] as const))(
  "README block %i (line %i) type-checks",
  (index) => {
    expect(diagnostics.get(index)).toEqual([]);
  },
);

/**
 * The blocks that are programs (they build an app) also run: each is written out as a module,
 * loaded through jest (so "bff-session" is this repository's lib/), given what its prelude
 * declares, and its app answers real requests.
 */
describe("README programs run", () => {
  const RUN = path.join(ROOT, "__tests__", ".readme-run");
  const SECRET = "readme-snippet-secret-at-least-32-bytes";
  const block = (heading: string) => {
    const at = README.indexOf(heading);
    const found = BLOCKS.find((b) => README.indexOf(b.code) > at);
    if (at === -1 || found === undefined) throw new Error(`no block after "${heading}"`);
    return found;
  };
  /** Loads a block as a module; resolves the app it built (its own, or the global one). */
  function load(index: number, code: string): Express {
    mkdirSync(RUN, { recursive: true });
    const file = path.join(RUN, `block-${index}.ts`);
    writeFileSync(file, `${code}\nexport const __app = app;\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(file) as { __app: Express }).__app;
  }
  beforeAll(() => {
    process.env.JWT_SECRET = SECRET;
    const g = globalThis as Record<string, unknown>;
    g.app = express();
    g.db = { findCustomer: async (id: string) => ({ id, email: "jane@example.com" }) };
  });
  afterAll(() => rmSync(RUN, { recursive: true, force: true }));

  it("Mounting it: a login and an authenticated request", async () => {
    const { index, code } = block("## Mounting it");
    const app = load(index, code);
    const token = await new SignJWT({ actor_id: "cus_1", actor_type: "customer" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(SECRET));
    const login = await request(app).post("/auth/session").set("Authorization", `Bearer ${token}`);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: "cus_1", email: "jane@example.com" });
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const me = await request(app).get("/store/customers/me").set("Cookie", cookie);
    expect(me.body).toEqual({ customer_id: "cus_1" });
  });

  it("The BFF in front of Medusa: the app forwards /store/* (502 with no backend there)", async () => {
    const { index, code } = block("## The BFF in front of Medusa");
    const app = load(index, code.replace("http://127.0.0.1:9000", "http://127.0.0.1:1"));
    const res = await request(app).get("/store/products");
    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      message: "The commerce backend is unavailable.",
      type: "unexpected_state",
    });
  });
});
