/**
 * The unmodified @medusajs/js-sdk 2.21.2 in session mode, its baseUrl pointing at the BFF, in
 * front of the real Medusa backend (npm run test:medusa): register, create the customer, log
 * in, read the customer through storeApi(), refresh, log out. Node has no cookie jar, so the
 * global fetch the SDK calls is wrapped in one, as a browser's would be; it also records every
 * answer that reaches the SDK, and none may contain a JWT.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { bff } from "./support.js";

/** The part of the SDK used here (its types live in the test backend's install, made by the run). */
interface MedusaSdk {
  auth: {
    register(actor: string, method: string, payload: object): Promise<string>;
    login(actor: string, method: string, payload: object): Promise<string | object>;
    refresh(): Promise<{ token: string }>;
    logout(): Promise<void>;
    mfa: {
      start(body: object): Promise<{ mfa_factor: { id: string }; secret: string }>;
      verify(id: string, body: object): Promise<{ mfa_factor: { status: string } }>;
      verifyChallenge(id: string, body: object): Promise<string>;
    };
  };
  store: {
    customer: {
      create(
        body: object,
        query: object,
        headers: Record<string, string>,
      ): Promise<{ customer: { id: string; email: string } }>;
      retrieve(): Promise<{ customer: { id: string; email: string } }>;
    };
  };
}

// The SDK as published, from the test backend's own install (its lockfile pins 2.21.2).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { default: Medusa, FetchError } = require(
  path.resolve("test-backends/medusa/node_modules/@medusajs/js-sdk"),
) as {
  default: new (config: object) => MedusaSdk;
  FetchError: new () => Error & { status?: number };
};

// Codes for the factor's secret, by Medusa's own TOTP implementation (RFC 6238).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateTotpCode } = require(
  path.resolve("test-backends/medusa/node_modules/@medusajs/auth/dist/utils/totp.js"),
) as { generateTotpCode(o: { secret: string; timestamp?: number }): string };

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/** What reached the SDK: every answer's URL, status, headers and body. */
const answers: Array<{ url: string; status: number; headers: string; body: string }> = [];
const jar = new Map<string, string>();
const realFetch = globalThis.fetch;

/** The browser's part: cookies kept and sent back, for the BFF's origin only. */
async function browserFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers);
  if (jar.size > 0) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
  const res = await realFetch(input, { ...init, headers });
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";");
    const [name, value] = pair!.split("=") as [string, string];
    const expired = attributes.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
    if (expired || value === "") jar.delete(name.trim());
    else jar.set(name.trim(), value);
  }
  answers.push({
    url: String(input),
    status: res.status,
    headers: JSON.stringify([...res.headers]),
    body: await res.clone().text(),
  });
  return res;
}

const t = bff();
let server: Server;
let sdk: MedusaSdk;

beforeAll(async () => {
  server = t.app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  globalThis.fetch = browserFetch as typeof fetch;
  sdk = new Medusa({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth: { type: "session" },
  });
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await new Promise((resolve) => server.close(resolve));
});

it("register → store.customer.create → login → retrieve → refresh → logout, no JWT ever reaching the SDK", async () => {
  const email = `sdk.${randomUUID()}@bff.test`;
  const password = "a-password-of-the-customer-1";

  // The documented session-mode registration: the returned value goes as Authorization.
  const registration = await sdk.auth.register("customer", "emailpass", { email, password });
  expect(registration).toMatch(/^bffsi_/);
  const { customer: created } = await sdk.store.customer.create(
    { email, first_name: "Sid", last_name: "Kay" },
    {},
    { Authorization: `Bearer ${registration}` },
  );
  expect(created.email).toBe(email);

  const login = await sdk.auth.login("customer", "emailpass", { email, password });
  expect(login).toMatch(/^bffsi_/);
  expect([...jar.keys()]).toEqual(["bff.sid"]);

  const { customer } = await sdk.store.customer.retrieve();
  expect(customer.id).toBe(created.id);

  const refreshed = await sdk.auth.refresh();
  expect(refreshed.token).toMatch(/^bffsi_/);
  expect((await sdk.store.customer.retrieve()).customer.id).toBe(created.id);

  await sdk.auth.logout();
  expect(jar.size).toBe(0);
  await expect(sdk.store.customer.retrieve()).rejects.toMatchObject({ status: 401 });

  // What reached the SDK: the BFF's answers only, and never a token the backend would take.
  expect(answers.length).toBeGreaterThanOrEqual(9);
  for (const answer of answers) {
    expect(answer.body).not.toMatch(JWT);
    expect(answer.headers).not.toMatch(JWT);
    expect(answer.headers).not.toContain("connect.sid");
  }
});

it("a wrong password is Medusa's 401; after 10 for one account, 429 without asking Medusa", async () => {
  const email = `guess.${randomUUID()}@bff.test`;
  for (let i = 0; i < 10; i++) {
    const error = await sdk.auth
      .login("customer", "emailpass", { email, password: `no-${i}` })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FetchError);
    expect((error as InstanceType<typeof FetchError>).status).toBe(401);
  }
  const limited = await sdk.auth
    .login("customer", "emailpass", { email, password: "no" })
    .catch((e: unknown) => e);
  expect((limited as InstanceType<typeof FetchError>).status).toBe(429);
  expect(t.events.filter((e) => e.type === "signin.failed")).toHaveLength(10);
});

it("MFA: enrol TOTP as the customer, then sign in through the challenge; the pre-MFA token never signs in", async () => {
  const email = `mfa.${randomUUID()}@bff.test`;
  const password = "a-password-of-the-customer-1";
  const registration = await sdk.auth.register("customer", "emailpass", { email, password });
  await sdk.store.customer.create(
    { email, first_name: "Mia", last_name: "Fa" },
    {},
    { Authorization: `Bearer ${registration}` },
  );
  await sdk.auth.login("customer", "emailpass", { email, password });

  // Enrolment: the BFF sends the session's token to Medusa's /auth/mfa/factors.
  const setup = await sdk.auth.mfa.start({ provider: "totp", label: "phone" });
  const enabled = await sdk.auth.mfa.verify(setup.mfa_factor.id, {
    code: generateTotpCode({ secret: setup.secret }),
  });
  expect(enabled.mfa_factor.status).toBe("enabled");
  await sdk.auth.logout();

  // The password step answers the challenge; the SDK posts the (stand-in) token to
  // /auth/session, which must not fail, and must not sign in.
  const first = (await sdk.auth.login("customer", "emailpass", { email, password })) as {
    mfa_required: boolean;
    mfa_challenge: { id: string };
    token: string;
  };
  expect(first.mfa_required).toBe(true);
  expect(first.token).toMatch(/^bffsi_/);
  await expect(sdk.store.customer.retrieve()).rejects.toMatchObject({ status: 401 });

  // The next time step's code (within Medusa's window): the enrolment's code is spent.
  const token = await sdk.auth.mfa.verifyChallenge(first.mfa_challenge.id, {
    method: "totp",
    code: generateTotpCode({ secret: setup.secret, timestamp: Date.now() + 30_000 }),
  });
  expect(token).toMatch(/^bffsi_/);
  expect((await sdk.store.customer.retrieve()).customer.email).toBe(email);
  for (const answer of answers) {
    expect(answer.body).not.toMatch(JWT);
    expect(answer.headers).not.toMatch(JWT);
  }
  await sdk.auth.logout();
});
