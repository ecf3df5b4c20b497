// The storefront: it signs in, registers and resets passwords through the BFF, which keeps the
// customer's token; the page only ever sees stand-ins. Every call is authenticated by the
// httpOnly session cookie alone.
"use strict";

const $ = (id) => document.getElementById(id);

function show(state) {
  $("signed-in").hidden = state !== "in";
  $("signed-out").hidden = state !== "out";
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
  if (status === 404) return "We couldn't find your customer account.";
  if (status === 429) return "Too many attempts. Please wait a moment.";
  return "Something went wrong on our side. Please try again in a moment.";
}

async function call(method, url, { body, headers } = {}) {
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
    if (res.status === 401 && url !== "/auth/session" && !url.startsWith("/auth/"))
      signedOutElsewhere();
    return { status: res.status, data };
  } catch {
    return { status: 0, data: null };
  }
}

function text(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

function render(user, session) {
  $("customer-name").textContent =
    [user.first_name, user.last_name].filter(Boolean).join(" ") || user.email;
  $("customer-email").textContent = user.email;
  $("customer-phone").textContent = text(user.phone);
  // Both deadlines: the idle one moves with use, the absolute one never does.
  $("session-expires").textContent = session
    ? `${new Date(session.expires_at).toLocaleString()} if idle; at the latest ${new Date(session.absolute_expires_at).toLocaleString()}`
    : "—";
  const list = $("addresses");
  list.replaceChildren();
  for (const a of user.addresses) {
    const li = document.createElement("li");
    const label = a.address_name ? `${a.address_name}: ` : "";
    const where = [
      a.company,
      a.address_1,
      a.address_2,
      [a.postal_code, a.city].filter(Boolean).join(" "),
      a.country_code?.toUpperCase(),
    ];
    li.textContent =
      label +
      where.filter(Boolean).join(", ") +
      (a.is_default_shipping ? " (default shipping)" : "");
    list.append(li);
  }
  if (user.addresses.length === 0)
    list.append(
      Object.assign(document.createElement("li"), { textContent: "No saved addresses yet." }),
    );
  show("in");
}

async function loadSessions() {
  const { status, data } = await call("GET", "/store/customers/me/sessions");
  const list = $("sessions");
  list.replaceChildren();
  if (status !== 200) return;
  for (const s of data.sessions) {
    const li = document.createElement("li");
    // "Last active" moves at most once per touch interval (a tenth of the idle timeout).
    li.textContent = `${s.current ? "This browser" : text(s.device ?? s.user_agent)} — signed in ${new Date(s.created_at).toLocaleString()}, last active around ${new Date(s.last_seen_at).toLocaleString()} `;
    if (s.current) li.className = "current";
    else {
      const button = Object.assign(document.createElement("button"), {
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
// cart's id — the BFF remembers this browser's cart, and `current` stands for it. A guest
// fills a cart; at sign-in it becomes the customer's, and it is still there after a reload.
let region;
let hasCart = false;

function price(variant) {
  const p = variant.calculated_price;
  if (!p) return "";
  return new Intl.NumberFormat(undefined, { style: "currency", currency: p.currency_code }).format(
    p.calculated_amount,
  );
}

async function loadCatalog() {
  const regions = await call("GET", "/store/regions");
  if (regions.status !== 200) return say(explain(regions.status));
  region = regions.data.regions[0]?.id;
  const { status, data } = await call(
    "GET",
    `/store/products?region_id=${encodeURIComponent(region ?? "")}&fields=id,title,*variants,*variants.calculated_price`,
  );
  const list = $("products");
  list.replaceChildren();
  if (status !== 200) return say(explain(status));
  for (const product of data.products) {
    for (const variant of product.variants) {
      const li = document.createElement("li");
      li.textContent = `${product.title} (${variant.title}) ${price(variant)} `;
      const button = Object.assign(document.createElement("button"), {
        type: "button",
        textContent: "Add to cart",
        className: "secondary add-to-cart",
      });
      button.addEventListener("click", () => addToCart(variant.id));
      li.append(button);
      list.append(li);
    }
  }
}

/** Shows the cart this browser holds (a guest's, or the signed-in customer's), or none. */
async function loadCart() {
  const { status, data } = await call("GET", "/store/carts/current");
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
  const { status, data } = await call("POST", "/store/carts/current/line-items", {
    body: { variant_id: variantId, quantity: 1 },
  });
  if (status !== 200) return say(explain(status));
  renderCart(data.cart);
}

function renderCart(cart) {
  const list = $("cart-items");
  list.replaceChildren();
  for (const item of cart.items) {
    list.append(
      Object.assign(document.createElement("li"), {
        textContent: `${item.quantity} × ${item.product_title ?? item.title}`,
      }),
    );
  }
  if (cart.items.length === 0)
    list.append(
      Object.assign(document.createElement("li"), { textContent: "Your cart is empty." }),
    );
}

/** A call answered 401: this browser's session ended (signed out elsewhere, revoked, expired). */
function signedOutElsewhere() {
  if ($("signed-in").hidden) return;
  show("out");
  loadCart();
  say("Your session has ended. Please sign in again.", "info");
}

async function refresh() {
  const { status, data } = await call("GET", "/auth/session");
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
  const session = await call("POST", "/auth/session", {
    headers: { authorization: `Bearer ${login.data.token}` },
  });
  if (session.status !== 200) return say(explain(session.status, "sign-in"));
  render(session.data.user);
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

$("sign-out").addEventListener("click", async () => {
  const { status } = await call("DELETE", "/auth/session");
  if (status !== 200) return say(explain(status));
  await loadCart();
  show("out");
  say("You are signed out.", "info");
});

$("sign-out-everywhere").addEventListener("click", async () => {
  const { status, data } = await call("DELETE", "/store/customers/me/sessions");
  if (status !== 200) return say(explain(status));
  show("out");
  say(`Signed out of ${data.revoked} session${data.revoked === 1 ? "" : "s"} everywhere.`, "info");
});

refresh();
