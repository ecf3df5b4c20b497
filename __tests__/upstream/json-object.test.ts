import { jsonObject } from "../../lib/upstream/json-object.js";

it("parses a JSON object", () => {
  expect(jsonObject('{"a":1,"b":{"c":[]}}')).toEqual({ a: 1, b: { c: [] } });
});

it.each(["[1]", '"text"', "null", "1", "true", "", "{", "not json"])("undefined for %p", (text) => {
  expect(jsonObject(text)).toBeUndefined();
});
