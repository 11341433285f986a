// Invoices: the list with the API's filters, and a live feed of new ones that resumes where
// it left off after a dropped connection.

import { currency, gql } from "./api.js";
import { debounce, field, h } from "./dom.js";
import { follow } from "./live.js";
import { formatMoney } from "./money.js";

const PAGE = 20;
const FIELDS = "id number issuingDate status paymentStatus paymentOverdue currency totalAmountCents customer { name externalId }";
const LIST = `
query($first: Int, $after: String, $status: InvoiceStatus, $paymentStatus: PaymentStatus,
      $paymentOverdue: Boolean, $issuingDateFrom: Date, $issuingDateTo: Date, $searchTerm: String,
      $externalCustomerId: String, $currency: CurrencyCode) {
  invoices(first: $first, after: $after, status: $status, paymentStatus: $paymentStatus,
           paymentOverdue: $paymentOverdue, issuingDateFrom: $issuingDateFrom,
           issuingDateTo: $issuingDateTo, searchTerm: $searchTerm,
           externalCustomerId: $externalCustomerId, currency: $currency) {
    nodes { ${FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`;
const FEED = `subscription($after: String) {
  invoiceCreated(after: $after) { cursor invoice { ${FIELDS} } }
}`;


async function row(invoice) {
  const money = await currency(invoice.currency);
  return h(
    "tr",
    { "data-invoice": invoice.number },
    h("td", {}, h("a", { href: `#/invoices/${invoice.id}` }, invoice.number)),
    h("td", {}, invoice.customer.name ?? invoice.customer.externalId),
    h("td", {}, invoice.issuingDate),
    h("td", {}, invoice.status),
    h("td", {}, invoice.paymentOverdue ? `${invoice.paymentStatus} (overdue)` : invoice.paymentStatus),
    h("td", { class: "amount" }, formatMoney(invoice.totalAmountCents, money)),
  );
}

function select(options) {
  return h("select", {}, h("option", { value: "" }, "Any"), options.map(([value, label]) => h("option", { value }, label)));
}

export async function invoicesPage() {
  const { __type, organization } = await gql(
    '{ organization { eventCursor } __type(name: "CurrencyCode") { enumValues { name } } }',
  );
  const filters = {
    searchTerm: h("input", { type: "search", placeholder: "Number, PO, customer" }),
    externalCustomerId: h("input", { type: "text", placeholder: "Your customer id" }),
    currency: select(__type.enumValues.map(({ name }) => [name, name])),
    status: select([["FINALIZED", "Finalized"], ["VOIDED", "Voided"]]),
    paymentStatus: select([["PENDING", "Pending"], ["SUCCEEDED", "Succeeded"], ["FAILED", "Failed"]]),
    paymentOverdue: select([["true", "Overdue"], ["false", "Not overdue"]]),
    issuingDateFrom: h("input", { type: "date" }),
    issuingDateTo: h("input", { type: "date" }),
  };
  const rows = h("tbody");
  const more = h("button", { type: "button", hidden: true }, "Next page");
  const first = h("button", { type: "button", hidden: true }, "First page");
  const general = h("p", { class: "error", role: "alert", hidden: true });
  let after = null;
  let asked = 0;

  function variables() {
    const value = (name) => filters[name].value.trim() || null;
    const overdue = value("paymentOverdue");
    return {
      first: PAGE,
      after,
      searchTerm: value("searchTerm"),
      status: value("status"),
      paymentStatus: value("paymentStatus"),
      paymentOverdue: overdue === null ? null : overdue === "true",
      issuingDateFrom: value("issuingDateFrom"),
      issuingDateTo: value("issuingDateTo"),
      externalCustomerId: value("externalCustomerId"),
      currency: value("currency"),
    };
  }

  async function load(initial = false) {
    const mine = ++asked;
    let invoices;
    try {
      ({ invoices } = await gql(LIST, variables()));
      general.hidden = true;
    } catch (error) {
      if (initial) throw error; // the page's own load: the app answers it (a refused key, say)
      general.hidden = false;
      general.textContent = error.message;
      return;
    }
    const found = await Promise.all(invoices.nodes.map(row));
    if (mine !== asked) return;
    rows.replaceChildren(...found);
    if (!found.length) rows.append(h("tr", {}, h("td", { colspan: 6 }, "No invoice matches.")));
    more.hidden = !invoices.pageInfo.hasNextPage;
    more.onclick = () => {
      after = invoices.pageInfo.endCursor;
      first.hidden = false;
      load();
    };
  }
  const again = () => {
    after = null;
    first.hidden = true;
    load();
  };
  first.onclick = again;
  for (const input of Object.values(filters)) input.addEventListener("input", debounce(again, 250));

  const arrivals = h("ul", { class: "feed", "aria-live": "polite" });
  const state = h("span", { class: "feed-state" }, "connecting");
  const feed = follow({
    query: FEED,
    field: "invoiceCreated",
    after: organization.eventCursor,
    onState: (now, detail) => {
      state.textContent = detail ? `${now}: ${detail}` : now;
      state.dataset.state = now;
    },
    onEvent: async ({ invoice }) => {
      const money = await currency(invoice.currency);
      if (arrivals.querySelector(`[data-invoice="${CSS.escape(invoice.number)}"]`)) return;
      arrivals.prepend(
        h(
          "li",
          { "data-invoice": invoice.number },
          h("a", { href: `#/invoices/${invoice.id}` }, invoice.number),
          ` · ${invoice.customer.name ?? invoice.customer.externalId} · ${formatMoney(invoice.totalAmountCents, money)}`,
        ),
      );
      if (!after) load();
    },
  });

  try {
    await load(true);
  } catch (error) {
    feed.stop();
    throw error;
  }
  const page = h(
    "section",
    {},
    h("h1", {}, "Invoices"),
    h("section", { class: "live" }, h("h2", {}, "New invoices, live ", state), arrivals),
    h(
      "form",
      { class: "filters", onsubmit: (event) => event.preventDefault() },
      field("Search", filters.searchTerm, "searchTerm"),
      field("Customer", filters.externalCustomerId, "externalCustomerId"),
      field("Currency", filters.currency, "currency"),
      field("Status", filters.status, "status"),
      field("Payment", filters.paymentStatus, "paymentStatus"),
      field("Overdue", filters.paymentOverdue, "paymentOverdue"),
      field("Issued from", filters.issuingDateFrom, "issuingDateFrom"),
      field("Issued to", filters.issuingDateTo, "issuingDateTo"),
    ),
    general,
    h(
      "table",
      { class: "list" },
      h("thead", {}, h("tr", {}, ["Number", "Customer", "Issued", "Status", "Payment", "Total"].map((t) => h("th", { scope: "col" }, t)))),
      rows,
    ),
    h("div", { class: "pager" }, first, more),
  );
  // Leaving the page (or signing out) closes the feed's socket.
  page.cleanup = () => feed.stop();
  return page;
}
