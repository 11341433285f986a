// Customers: the list (search, pages) and a customer's page, from which an invoice starts.

import { currency, gql } from "./api.js";
import { debounce, h } from "./dom.js";
import { formatMoney } from "./money.js";

const PAGE = 20;
const LIST = `
query($first: Int, $after: String, $term: String) {
  customers(first: $first, after: $after, searchTerm: $term) {
    nodes { id externalId name email currency }
    pageInfo { hasNextPage endCursor }
  }
}`;

export async function customersPage() {
  const rows = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Next page");
  const first = h("button", { type: "button", hidden: true }, "First page");
  const search = h("input", { type: "search", placeholder: "Name, id or email" });
  search.id = "customer-search";
  const general = h("p", { class: "error", role: "alert", hidden: true });
  let after = null;
  let asked = 0;

  async function load(initial = false) {
    const mine = ++asked;
    const term = search.value.trim() || null;
    let customers;
    try {
      ({ customers } = await gql(LIST, { first: PAGE, after, term }));
    } catch (error) {
      if (initial) throw error; // the page's own load: the app answers it (a refused key, say)
      general.hidden = false;
      general.textContent = error.message;
      return;
    }
    if (mine !== asked) return; // a later search answered first
    general.hidden = true;
    rows.replaceChildren(
      ...customers.nodes.map((customer) =>
        h(
          "tr",
          {},
          h("td", {}, h("a", { href: `#/customers/${customer.id}` }, customer.name ?? customer.externalId)),
          h("td", {}, customer.externalId),
          h("td", {}, customer.email ?? ""),
          h("td", {}, customer.currency ?? "—"),
        ),
      ),
    );
    if (!customers.nodes.length) rows.append(h("tr", {}, h("td", { colspan: 4 }, "No customer matches.")));
    more.hidden = !customers.pageInfo.hasNextPage;
    more.onclick = () => {
      after = customers.pageInfo.endCursor;
      first.hidden = false;
      load();
    };
  }
  first.onclick = () => {
    after = null;
    first.hidden = true;
    load();
  };
  search.addEventListener(
    "input",
    debounce(() => {
      after = null;
      first.hidden = true;
      load();
    }, 250),
  );
  await load(true);
  return h(
    "section",
    {},
    h("h1", {}, "Customers"),
    h("div", { class: "field" }, h("label", { for: "customer-search" }, "Search customers"), search),
    general,
    h(
      "table",
      { class: "list" },
      h("thead", {}, h("tr", {}, ["Name", "External id", "Email", "Currency"].map((t) => h("th", { scope: "col" }, t)))),
      rows,
    ),
    h("div", { class: "pager" }, first, more),
  );
}

const CUSTOMER = `
query($id: ID!) {
  customer(id: $id) {
    id externalId name email currency timezone country netPaymentTerm
    taxes { code name rate }
    invoices(first: 20) {
      nodes { id number issuingDate status paymentStatus currency totalAmountCents }
    }
  }
}`;

export async function customerPage(id) {
  const { customer } = await gql(CUSTOMER, { id });
  if (!customer) return h("p", { class: "error", role: "alert" }, "No such customer.");
  const invoices = customer.invoices.nodes;
  const exponents = await Promise.all([...new Set(invoices.map((i) => i.currency))].map(currency));
  const byCode = new Map(exponents.map((c) => [c.code, c]));
  const detail = (term, value) => [h("dt", {}, term), h("dd", {}, value ?? "—")];
  return h(
    "section",
    {},
    h(
      "div",
      { class: "title" },
      h("h1", {}, customer.name ?? customer.externalId),
      h(
        "details",
        { class: "actions" },
        h("summary", {}, "Actions"),
        h("a", { href: `#/customers/${customer.id}/new-invoice`, class: "menu-item" }, "Create one-off invoice"),
      ),
    ),
    h(
      "dl",
      { class: "details" },
      detail("External id", customer.externalId),
      detail("Email", customer.email),
      detail("Currency", customer.currency ?? "none yet: set by its first invoice"),
      detail("Timezone", customer.timezone),
      detail("Country", customer.country),
      detail("Taxes", customer.taxes.map((t) => `${t.name} (${t.code}, ${t.rate} %)`).join(", ") || null),
    ),
    h("h2", {}, "Invoices"),
    invoices.length
      ? h(
          "table",
          { class: "list" },
          h("thead", {}, h("tr", {}, ["Number", "Issued", "Status", "Payment", "Total"].map((t) => h("th", { scope: "col" }, t)))),
          h(
            "tbody",
            {},
            invoices.map((invoice) =>
              h(
                "tr",
                {},
                h("td", {}, h("a", { href: `#/invoices/${invoice.id}` }, invoice.number)),
                h("td", {}, invoice.issuingDate),
                h("td", {}, invoice.status),
                h("td", {}, invoice.paymentStatus),
                h("td", { class: "amount" }, formatMoney(invoice.totalAmountCents, byCode.get(invoice.currency))),
              ),
            ),
          ),
        )
      : h("p", {}, "No invoice yet."),
  );
}
