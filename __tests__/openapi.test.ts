import { readFileSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import request from "supertest";
import { StoreApiError, storeCustomerSchema } from "../lib/index.js";
import { storeCustomerAddressSchema } from "../lib/customers/store-customer.js";
import { buildApp, cookiePair, setCookie, signToken, type TestApp } from "./helpers.js";

const doc = JSON.parse(readFileSync(path.join(__dirname, "..", "openapi.json"), "utf8"));

describe("openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", () => {
    // The validator ships ESM only, so it runs as its own CLI (a non-zero exit throws here).
    const cli = require.resolve("@seriousme/openapi-schema-validator/bin/validate-api-cli.js");
    const output = execFileSync(
      process.execPath,
      [cli, path.join(__dirname, "..", "openapi.json")],
      { encoding: "utf8" },
    );
    expect(JSON.parse(output)).toEqual({ valid: true });
  });

  it("names exactly the StoreCustomer fields the response schema sends", () => {
    expect(Object.keys(doc.components.schemas.StoreCustomer.properties).sort()).toEqual(
      Object.keys(storeCustomerSchema.shape).sort(),
    );
    expect(Object.keys(doc.components.schemas.StoreCustomerAddress.properties).sort()).toEqual(
      Object.keys(storeCustomerAddressSchema.shape).sort(),
    );
  });

  it("describes exactly the routes the router mounts", () => {
    expect(Object.keys(doc.paths)).toEqual(["/auth/session"]);
    expect(Object.keys(doc.paths["/auth/session"]).sort()).toEqual(["delete", "get", "post"]);
  });
});

describe("the router's real responses conform to openapi.json", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: "openapi", components: doc.components });
  const checked = new Set<string>();

  /** Fails unless the document lists this status for the operation and the body fits its schema. */
  function conform(method: "get" | "post" | "delete", res: request.Response) {
    const operation = doc.paths["/auth/session"][method];
    const documented = operation.responses[String(res.status)];
    if (documented === undefined)
      throw new Error(`${method.toUpperCase()} ${res.status} is not in openapi.json`);
    const type = String(res.headers["content-type"]).split(";")[0]!;
    const media = documented.content?.[type];
    if (media === undefined)
      throw new Error(`${method.toUpperCase()} ${res.status} ${type} is not in openapi.json`);
    const schema = JSON.parse(
      JSON.stringify(media.schema).replaceAll('"#/components', '"openapi#/components'),
    );
    const validate = ajv.compile(schema);
    const body = type === "text/plain" ? res.text : res.body;
    if (!validate(body))
      throw new Error(`${method.toUpperCase()} ${res.status}: ${ajv.errorsText(validate.errors)}`);
    expect(res.headers["cache-control"]).toBe("no-store");
    for (const name of Object.keys(documented.headers ?? {})) {
      const header = documented.headers[name];
      if (header.schema?.const !== undefined && name.toLowerCase() in res.headers) {
        expect(res.headers[name.toLowerCase()]).toBe(header.schema.const);
      }
    }
    checked.add(`${method} ${res.status}`);
  }

  let t: TestApp;
  beforeEach(() => {
    t = buildApp();
  });
  const login = async (app = t) =>
    request(app.app)
      .post("/auth/session")
      .set("Authorization", `Bearer ${await signToken(app.clock)}`);

  it("POST: 200, 401, 404, 403, and every customer-store error", async () => {
    conform("post", await login());
    conform("post", await request(t.app).post("/auth/session"));
    conform(
      "post",
      await request(t.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(t.clock, { actor_id: "cus_x" })}`),
    );
    conform(
      "post",
      await request(t.app)
        .post("/auth/session")
        .set("Authorization", `Bearer ${await signToken(t.clock)}`)
        .set("Sec-Fetch-Site", "cross-site"),
    );
    for (const type of [
      "not_allowed",
      "invalid_data",
      "forbidden",
      "conflict",
      "duplicate_error",
      "database_error",
      "unexpected_state",
    ] as const) {
      t.retrieve.mockRejectedValueOnce(new StoreApiError(type, "m"));
      conform("post", await login());
    }
    const race = new Error("x");
    race.name = "TransactionNotStartedError";
    t.retrieve.mockRejectedValueOnce(race);
    conform("post", await login());
    t.retrieve.mockRejectedValueOnce(new Error("boom"));
    conform("post", await login());
    jest.spyOn(t.store.inner, "set").mockRejectedValueOnce(new Error("down"));
    conform("post", await login());
  });

  it("GET: 200, 401, and store errors", async () => {
    const cookie = cookiePair(setCookie((await login()).headers));
    conform("get", await request(t.app).get("/auth/session").set("Cookie", cookie));
    conform("get", await request(t.app).get("/auth/session?touch=false").set("Cookie", cookie));
    conform("get", await request(t.app).get("/auth/session"));
    t.retrieve.mockRejectedValueOnce(new StoreApiError("database_error", "m"));
    conform("get", await request(t.app).get("/auth/session").set("Cookie", cookie));
    jest.spyOn(t.store.inner, "get").mockRejectedValueOnce(new Error("down"));
    conform("get", await request(t.app).get("/auth/session").set("Cookie", cookie));
  });

  it("DELETE: 200, 403 and 500", async () => {
    const cookie = cookiePair(setCookie((await login()).headers));
    conform(
      "delete",
      await request(t.app)
        .delete("/auth/session")
        .set("Cookie", cookie)
        .set("Origin", "https://evil.example"),
    );
    jest.spyOn(t.store.inner, "destroy").mockRejectedValueOnce(new Error("down"));
    conform("delete", await request(t.app).delete("/auth/session").set("Cookie", cookie));
    conform("delete", await request(t.app).delete("/auth/session").set("Cookie", cookie));
    conform("delete", await request(t.app).delete("/auth/session"));
  });

  afterAll(() => {
    // Every documented status was produced by at least one real response.
    const documented = Object.entries(doc.paths["/auth/session"]).flatMap(([method, op]) =>
      Object.keys((op as { responses: object }).responses).map((status) => `${method} ${status}`),
    );
    expect(documented.filter((key) => !checked.has(key))).toEqual(
      // GET's 400/403/409/422 come from the same customer-store mapping POST exercises.
      ["get 400", "get 403", "get 409", "get 422"],
    );
  });
});
