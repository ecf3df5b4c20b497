// The storefront: it signs in, registers and resets passwords through the BFF, which keeps the
// customer's token; the page only ever sees stand-ins. Every call is authenticated by the
// httpOnly session cookie alone.
"use strict";

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// Counts the times this page left its signed-in view. An answer to a call made before the
// latest of them is stale: it neither shows the customer again nor reports the session ended.
let signOuts = 0;

function show(state) {
  if (state !== "in" && !$("signed-in").hidden) signOuts++;
  $("signed-in").hidden = state !== "in";
  $("signed-out").hidden = state !== "out";
  if (state !== "in") {
    $("account-link").textContent = "Sign in";
    customer = undefined;
    renderDev();
  }
}

function say(text, kind = "error") {
  const box = $("message");
  box.textContent = text;
  box.className = kind;
  box.hidden = !text;
}

/** Words for a person, never raw JSON. */
function explain(status, during) {
  if (status === 0)
    return "We can't reach the shop right now. Check your connection and try again.";
  if (status === 401 && during === "sign-in")
    return "That email and password don't match an account.";
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "That request was blocked for your safety. Please reload the page.";
  if (status === 404) return "We couldn't find that in your account.";
  if (status === 400) return "Please check what you entered and try again.";
  if (status === 429) return "Too many attempts. Please wait a moment.";
  return "Something went wrong on our side. Please try again in a moment.";
}

// ---------------------------------------------------------------------------------------------
// The developer panel: separate from the shop, collapsed by default, remembered per browser.

const DEV_KEY = "storefront.devPanel";
const devCalls = [];
let customer;
let session;
let cartId;
let backend = "unknown";

function setDevOpen(open) {
  $("dev-panel").hidden = !open;
  $("dev-toggle").setAttribute("aria-expanded", String(open));
  $("dev-toggle").textContent = open ? "Hide developer panel" : "Show developer panel";
  try {
    if (open) localStorage.setItem(DEV_KEY, "open");
    else localStorage.removeItem(DEV_KEY);
  } catch {
    // Storage may be unavailable (private mode); the panel then stays as toggled.
  }
}

function renderDev() {
  $("dev-backend").textContent =
    backend === "stand-in" ? "the example's stand-in (/_backend)" : backend;
  $("dev-customer-id").textContent = customer?.id ?? "— (guest)";
  $("dev-cart-id").textContent = cartId ?? "— (no cart yet)";
  $("dev-session").textContent = session
    ? `idle until ${session.expires_at}, at the latest ${session.absolute_expires_at}`
    : "—";
  $("dev-cookies").textContent = document.cookie || "(empty: every cookie is httpOnly)";
  $("dev-json").textContent = customer ? JSON.stringify({ user: customer, session }, null, 2) : "—";
  $("dev-calls").replaceChildren(
    ...devCalls.map((c) =>
      el(
        "li",
        {},
        el("code", { textContent: `${c.method} ${c.url} → ${c.status}` }),
        c.headers ? el("span", { className: "dev-headers", textContent: c.headers }) : "",
      ),
    ),
  );
}

$("dev-toggle").addEventListener("click", () => setDevOpen($("dev-panel").hidden));
try {
  setDevOpen(localStorage.getItem(DEV_KEY) === "open");
} catch {
  setDevOpen(false);
}

// ---------------------------------------------------------------------------------------------

async function call(method, url, { body, headers } = {}) {
  const asked = signOuts;
  try {
    const res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    // Always read the body (a 401 is text/plain), so the request completes.
    const data = res.headers.get("content-type")?.includes("json")
      ? await res.json()
      : (await res.text(), null);
    logCall(method, url, res);
    const stale = asked !== signOuts;
    if (res.status === 401 && !stale && !url.startsWith("/auth/")) signedOutElsewhere();
    return { status: res.status, data, stale };
  } catch {
    logCall(method, url, undefined);
    return { status: 0, data: null };
  }
}

/** The developer panel's list of calls: method, path, status and the headers that matter. */
function logCall(method, url, res) {
  const shown = ["cache-control", "content-type", "vary"]
    .map((name) => [name, res?.headers.get(name)])
    .filter(([, value]) => value)
    .map(([name, value]) => `${name}: ${value}`)
    .join(" · ");
  devCalls.unshift({ method, url, status: res?.status ?? "network error", headers: shown });
  devCalls.length = Math.min(devCalls.length, 12);
  if (!$("dev-panel").hidden) renderDev();
}

function text(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function fullName(user) {
  return [user.first_name, user.last_name].filter(Boolean).join(" ") || user.email;
}

function render(user, current) {
  customer = user;
  if (current) session = current;
  $("customer-name").textContent = fullName(user);
  $("account-link").textContent = user.first_name || "Account";
  $("customer-email").textContent = user.email;
  $("customer-phone").textContent = text(user.phone);
  const profile = $("profile").elements;
  profile.first_name.value = user.first_name ?? "";
  profile.last_name.value = user.last_name ?? "";
  // Both deadlines: the idle one moves with use, the absolute one never does.
  $("session-expires").textContent = session
    ? `${new Date(session.expires_at).toLocaleString()} if idle; at the latest ${new Date(session.absolute_expires_at).toLocaleString()}`
    : "—";
  renderAddresses(user.addresses ?? []);
  show("in");
  renderDev();
}

function renderAddresses(addresses) {
  const list = $("addresses");
  list.replaceChildren();
  for (const a of addresses) {
    const where = [
      [a.first_name, a.last_name].filter(Boolean).join(" "),
      a.company,
      a.address_1,
      a.address_2,
      [a.postal_code, a.city].filter(Boolean).join(" "),
      a.country_code?.toUpperCase(),
    ].filter(Boolean);
    const edit = el("button", {
      type: "button",
      textContent: "Edit",
      className: "link edit-address",
    });
    edit.addEventListener("click", () => openAddressForm(a));
    list.append(
      el(
        "li",
        { className: "address" },
        el(
          "div",
          {},
          el("strong", { textContent: a.address_name || "Address" }),
          a.is_default_shipping ? el("span", { className: "tag", textContent: "Default" }) : "",
          el("br"),
          where.join(", "),
        ),
        edit,
      ),
    );
  }
  if (addresses.length === 0)
    list.append(el("li", { className: "empty", textContent: "No saved addresses yet." }));
}

function openAddressForm(address) {
  const form = $("address-form");
  form.reset();
  const fields = form.elements;
  fields.id.value = address?.id ?? "";
  for (const name of [
    "address_name",
    "first_name",
    "last_name",
    "address_1",
    "postal_code",
    "city",
    "country_code",
  ])
    fields[name].value = address?.[name] ?? (address ? "" : (customer?.[name] ?? ""));
  $("address-form-title").textContent = address ? "Edit address" : "New address";
  form.hidden = false;
  $("add-address").hidden = true;
  fields.address_name.focus();
}

function closeAddressForm() {
  $("address-form").hidden = true;
  $("add-address").hidden = false;
}

async function loadSessions() {
  const { status, data, stale } = await call("GET", "/store/customers/me/sessions");
  if (stale) return;
  const list = $("sessions");
  list.replaceChildren();
  if (status !== 200) return;
  for (const s of data.sessions) {
    // "Last active" moves at most once per touch interval (a tenth of the idle timeout).
    const li = el(
      "li",
      {},
      el(
        "div",
        {},
        el("strong", { textContent: s.current ? "This browser" : text(s.device ?? s.user_agent) }),
        el("br"),
        el("span", {
          className: "hint",
          textContent: `Signed in ${new Date(s.created_at).toLocaleString()}, last active around ${new Date(s.last_seen_at).toLocaleString()}`,
        }),
      ),
    );
    if (s.current) li.className = "current";
    else {
      const button = el("button", {
        type: "button",
        textContent: "Sign out this device",
        className: "secondary sign-out-device",
      });
      button.addEventListener("click", async () => {
        const { status } = await call(
          "DELETE",
          `/store/customers/me/sessions/${encodeURIComponent(s.id)}`,
        );
        if (status !== 200) return say(explain(status));
        await loadSessions();
      });
      li.append(button);
    }
    list.append(li);
  }
}

// The catalog and the cart come from the commerce backend's Store API, through the BFF
// (storeApi()): the page never holds the customer's token, the publishable key or even the
// cart's id for its calls — the BFF remembers this browser's cart, and `current` stands for it.
// A guest fills a cart; at sign-in it becomes the customer's, and it is still there after a
// reload.
let region;
let hasCart = false;

function money(amount, currency) {
  if (amount === undefined || amount === null || !currency) return "";
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(amount);
}

async function loadCatalog() {
  const regions = await call("GET", "/store/regions");
  if (regions.status !== 200) return say(explain(regions.status));
  region = regions.data.regions[0]?.id;
  const { status, data } = await call(
    "GET",
    `/store/products?region_id=${encodeURIComponent(region ?? "")}&fields=id,title,thumbnail,*variants,*variants.calculated_price`,
  );
  const list = $("products");
  list.replaceChildren();
  if (status !== 200) return say(explain(status));
  for (const product of data.products) {
    for (const variant of product.variants) {
      const p = variant.calculated_price;
      const button = el("button", {
        type: "button",
        textContent: "Add to cart",
        className: "add-to-cart",
      });
      button.addEventListener("click", () => addToCart(variant.id));
      const picture = product.thumbnail
        ? el("img", { src: product.thumbnail, alt: "", loading: "lazy" })
        : el("span", { textContent: product.title.slice(0, 1) });
      list.append(
        el(
          "li",
          { className: "product" },
          el("div", { className: "thumb", ariaHidden: "true" }, picture),
          el("h3", { textContent: product.title }),
          el("p", { className: "variant", textContent: variant.title }),
          el("p", {
            className: "price",
            textContent: p ? money(p.calculated_amount, p.currency_code) : "",
          }),
          button,
        ),
      );
    }
  }
}

/** Shows the cart this browser holds (a guest's, or the signed-in customer's), or none. */
async function loadCart() {
  const { status, data, stale } = await call("GET", "/store/carts/current");
  if (stale) return;
  hasCart = status === 200;
  renderCart(hasCart ? data.cart : { items: [] });
}

async function addToCart(variantId) {
  say("");
  if (!hasCart) {
    const created = await call("POST", "/store/carts", { body: { region_id: region } });
    if (created.status !== 200) return say(explain(created.status));
    hasCart = true;
  }
  const { status, data, stale } = await call("POST", "/store/carts/current/line-items", {
    body: { variant_id: variantId, quantity: 1 },
  });
  if (stale) return;
  if (status !== 200) return say(explain(status));
  renderCart(data.cart);
}

function renderCart(cart) {
  cartId = cart.id;
  const list = $("cart-items");
  list.replaceChildren();
  const currency = cart.currency_code;
  let count = 0;
  let sum = 0;
  for (const item of cart.items) {
    count += item.quantity;
    sum += item.quantity * (item.unit_price ?? 0);
    list.append(
      el(
        "li",
        {},
        el("span", {
          className: "line",
          textContent: `${item.quantity} × ${item.product_title ?? item.title}`,
        }),
        el("span", {
          className: "amount",
          textContent: money(item.quantity * item.unit_price, currency),
        }),
      ),
    );
  }
  if (cart.items.length === 0)
    list.append(el("li", { className: "empty", textContent: "Your cart is empty." }));
  $("cart-count").textContent = String(count);
  $("cart-total").textContent =
    cart.items.length === 0 ? "—" : money(cart.item_total ?? cart.total ?? sum, currency);
  renderDev();
}

/** A call answered 401: this browser's session ended (signed out elsewhere, revoked, expired). */
function signedOutElsewhere() {
  if ($("signed-in").hidden) return;
  show("out");
  loadCart();
  say("Your session has ended. Please sign in again.", "info");
}

async function refresh() {
  const { status, data, stale } = await call("GET", "/auth/session");
  if (stale) return;
  if (status === 200) {
    render(data.user, data.session);
    await Promise.all([loadSessions(), loadCatalog(), loadCart()]);
    return;
  }
  show("out");
  if (status !== 401) return say(explain(status));
  // A guest browses and fills a cart before signing in.
  await Promise.all([loadCatalog(), loadCart()]);
}

/** The demo accounts exist only in the example's stand-in backend: their hint, only there. */
async function loadConfig() {
  const { status, data } = await call("GET", "/example/config");
  backend = status === 200 ? data.backend : "unknown";
  const standIn = backend === "stand-in";
  $("demo-hint").hidden = !standIn;
  const email = $("sign-in").elements.email;
  if (standIn && !email.value) email.value = "jane@example.com";
  renderDev();
}

/**
 * Signs in through the BFF: it keeps the customer's token and answers a stand-in, worthless
 * anywhere else, which POST /auth/session takes once. No token ever reaches this page.
 * Remember me: a persistent cookie, or one that ends when the browser closes.
 */
async function signIn(email, password, remember) {
  const login = await call("POST", `/auth/customer/emailpass?remember=${remember}`, {
    body: { email, password },
  });
  if (login.status !== 200) return say(explain(login.status, "sign-in"));
  const started = await call("POST", "/auth/session", {
    headers: { authorization: `Bearer ${login.data.token}` },
  });
  if (started.status !== 200) return say(explain(started.status, "sign-in"));
  render(started.data.user);
  await refresh();
  return true;
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const form = new FormData(event.target);
  const done = await signIn(form.get("email"), form.get("password"), form.get("remember") === "on");
  if (done) event.target.reset();
});

// Registration, as Medusa's storefront does it: register the identity, create the customer
// with the (stand-in) registration token as Authorization, then sign in.
$("register").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const form = new FormData(event.target);
  const email = form.get("email");
  const password = form.get("password");
  const registered = await call("POST", "/auth/customer/emailpass/register", {
    body: { email, password },
  });
  if (registered.status !== 200)
    return say(
      registered.status === 401
        ? "An account with that email exists already. Sign in instead."
        : explain(registered.status),
    );
  const created = await call("POST", "/store/customers", {
    body: { email, first_name: form.get("first_name"), last_name: form.get("last_name") },
    headers: { authorization: `Bearer ${registered.data.token}` },
  });
  if (created.status !== 200) return say(explain(created.status));
  if (await signIn(email, password, true)) event.target.reset();
});

$("forgot-password").addEventListener("click", async () => {
  const email = $("sign-in").elements.email.value;
  if (!email) return say("Enter your email above first.", "info");
  const { status } = await call("POST", "/auth/customer/emailpass/reset-password", {
    body: { identifier: email },
  });
  if (status !== 201) return say(explain(status));
  say(`If an account exists for ${email}, a link to reset the password is on its way.`, "info");
});

/** After an edit: the customer as GET /auth/session reads it again from the backend. */
async function reloadCustomer() {
  const { status, data, stale } = await call("GET", "/auth/session?touch=false");
  if (status === 200 && !stale) render(data.user, data.session);
}

// Editing the customer: the backend's Store API (POST /store/customers/me, …/addresses).
$("profile").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const form = new FormData(event.target);
  const { status } = await call("POST", "/store/customers/me", {
    body: { first_name: form.get("first_name"), last_name: form.get("last_name") },
  });
  if (status !== 200) return say(explain(status));
  await reloadCustomer();
  say("Your name is saved.", "info");
});

$("add-address").addEventListener("click", () => openAddressForm());
$("address-cancel").addEventListener("click", closeAddressForm);
$("address-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const form = new FormData(event.target);
  const id = form.get("id");
  const body = {};
  for (const [name, value] of form) if (name !== "id") body[name] = String(value).trim();
  body.country_code = body.country_code.toLowerCase();
  const url = id
    ? `/store/customers/me/addresses/${encodeURIComponent(id)}`
    : "/store/customers/me/addresses";
  const { status } = await call("POST", url, { body });
  if (status !== 200) return say(explain(status));
  closeAddressForm();
  await reloadCustomer();
  say("Your address is saved.", "info");
});

// The signed-out view appears with its message already in place; the guest's cart loads after
// (a 401 of a call still under way then finds the view switched and says nothing).
$("sign-out").addEventListener("click", async () => {
  const { status } = await call("DELETE", "/auth/session");
  if (status !== 200) return say(explain(status));
  say("You are signed out.", "info");
  show("out");
  await loadCart();
});

/** "Sign out everywhere" ends this session too; the count that matters is the others. */
function signedOutEverywhere(revoked) {
  const others = Math.max(0, revoked - 1);
  if (others === 0) return "Signed out of this browser. No other sessions were signed in.";
  return `Signed out of this browser and of ${others} other session${others === 1 ? "" : "s"}.`;
}

$("sign-out-everywhere").addEventListener("click", async () => {
  const { status, data } = await call("DELETE", "/store/customers/me/sessions");
  if (status !== 200) return say(explain(status));
  say(signedOutEverywhere(data.revoked), "info");
  show("out");
  await loadCart();
});

loadConfig();
refresh();
