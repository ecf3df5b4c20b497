// A small JSON client for Medusa's HTTP API, for the seed and the order check. An error carries
// the backend's own answer: Medusa's error bodies say which field or link is missing.

/**
 * `request(method, route, body?)` against `base`, as the admin (`token`) or a storefront
 * (`key`, the publishable key); resolves the parsed body and throws on any non-2xx answer.
 */
export function client(base, { token, key } = {}) {
  return async function request(method, route, body) {
    const headers = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    if (key) headers["x-publishable-api-key"] = key;
    const res = await fetch(`${base}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      json = { text: text.slice(0, 500) };
    }
    if (!res.ok) {
      const error = new Error(`${method} ${route} answered ${res.status}: ${JSON.stringify(json)}`);
      error.status = res.status;
      throw error;
    }
    return json;
  };
}
