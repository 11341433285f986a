// The console: a hash router over a few screens, each of which talks only to the public
// GraphQL API (api.js). A link `/console#key=…` signs in: the fragment never reaches a
// server, and is removed from the address bar at once.

import { ApiError, apiKey, signIn, signOut } from "./api.js";
import { customerPage, customersPage } from "./customers.js";
import { h } from "./dom.js";
import { invoicePage } from "./invoice.js";
import { invoicesPage } from "./invoices.js";
import { newInvoicePage } from "./new_invoice.js";

const app = document.getElementById("app");
const signOutButton = document.getElementById("sign-out");

const ROUTES = [
  [/^#\/customers$/, () => customersPage()],
  [/^#\/customers\/([^/]+)$/, (id) => customerPage(id)],
  [/^#\/customers\/([^/]+)\/new-invoice$/, (id) => newInvoicePage(id)],
  [/^#\/invoices$/, () => invoicesPage()],
  [/^#\/invoices\/([^/]+)$/, (id) => invoicePage(id)],
];

function takeKeyFromFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get("key");
  if (key) {
    signIn(key);
    history.replaceState(null, "", `${location.pathname}#/customers`);
  }
}

function signInPage(message) {
  const input = h("input", { type: "password", autocomplete: "off", required: true, spellcheck: false });
  input.id = "api-key";
  return h(
    "section",
    { class: "sign-in" },
    h("h1", {}, "Sign in"),
    message ? h("p", { class: "error", role: "alert" }, message) : null,
    h(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          signIn(input.value);
          location.hash = "#/customers";
          render();
        },
      },
      h("label", { for: "api-key" }, "API key"),
      input,
      h("p", { class: "hint" }, "Kept in this tab only, until you sign out or close it."),
      h("button", { type: "submit" }, "Sign in"),
    ),
  );
}

// A page that holds something open (the live feed) has a cleanup(): run when it is left,
// or when it finishes loading after the user has already moved on.
let shownPage = null;
function leave() {
  shownPage?.cleanup?.();
  shownPage = null;
}

let renders = 0;

async function render() {
  const mine = ++renders;
  leave();
  takeKeyFromFragment();
  signOutButton.hidden = !apiKey();
  if (!apiKey()) {
    app.replaceChildren(signInPage());
    return;
  }
  if (!ROUTES.some(([pattern]) => pattern.test(location.hash))) {
    history.replaceState(null, "", `${location.pathname}#/customers`);
  }
  const [pattern, page] = ROUTES.find(([candidate]) => candidate.test(location.hash));
  const args = pattern.exec(location.hash).slice(1).map(decodeURIComponent);
  app.replaceChildren(h("p", { class: "loading" }, "Loading…"));
  try {
    const shown = await page(...args);
    if (mine !== renders) {
      // The user moved on while this page loaded: it must not replace the newer one.
      shown.cleanup?.();
      return;
    }
    shownPage = shown;
    app.replaceChildren(shown);
  } catch (error) {
    if (mine !== renders) return;
    if (error instanceof ApiError && error.unauthenticated) {
      leave();
      signOut();
      signOutButton.hidden = true;
      app.replaceChildren(signInPage("That API key was not accepted: sign in again."));
      return;
    }
    app.replaceChildren(h("p", { class: "error", role: "alert" }, error.message));
  }
  app.focus();
}

signOutButton.addEventListener("click", () => {
  leave();
  signOut();
  render();
});
window.addEventListener("hashchange", render);
render();
