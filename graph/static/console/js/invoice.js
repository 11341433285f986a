// An invoice as issued: its number, fees, taxes, totals and document.

import { currency, gql } from "./api.js";
import { field, h, showErrors } from "./dom.js";
import { formatDecimal, formatMoney } from "./money.js";

const INVOICE = `
query($id: ID!) {
  invoice(id: $id) {
    id number status paymentStatus paymentOverdue currency issuingDate paymentDueDate fileUrl
    feesAmountCents taxesAmountCents totalAmountCents
    customer { id name externalId }
    fees { invoiceName description units unitAmountCents amountCents }
    appliedTaxes { taxCode taxName taxRate taxCategory amountCents }
    eInvoice { available ublUrl problems { code message } }
  }
}`;

const PAY = `mutation($id: ID!, $status: PaymentStatus!) {
  updateInvoicePaymentStatus(input: {id: $id, paymentStatus: $status}) {
    invoice { id } userErrors { field code message }
  }
}`;
const VOID = `mutation($id: ID!) {
  voidInvoice(id: $id) { invoice { id } userErrors { field code message } }
}`;

// Payment status and void, each the API's mutation; its userErrors shown by its inputs.
function actions(invoice, reload) {
  const general = h("div", { class: "error general", role: "alert", hidden: true });
  const status = h(
    "select",
    {},
    ["PENDING", "SUCCEEDED", "FAILED"].map((value) =>
      h("option", { value, selected: value === invoice.paymentStatus }, value),
    ),
  );
  const form = h("form", { class: "actions-form" });
  async function run(query, variables, name) {
    const buttons = form.querySelectorAll("button");
    for (const button of buttons) button.disabled = true;
    try {
      const answer = (await gql(query, variables))[name];
      showErrors(form, answer.userErrors, general);
      if (!answer.userErrors.length) await reload();
    } catch (error) {
      // Safe to retry: a status already set changes nothing; a voided invoice stays voided.
      showErrors(form, [{ code: "NO_ANSWER", message: `${error.message} Try again.`, field: null }], general);
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  }
  const confirm = h("button", { type: "button", class: "danger", hidden: true }, `Confirm: void ${invoice.number}`);
  confirm.addEventListener("click", () => run(VOID, { id: invoice.id }, "voidInvoice"));
  const voiding = h("button", { type: "button" }, "Void invoice");
  voiding.addEventListener("click", () => {
    confirm.hidden = false;
    confirm.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(PAY, { id: invoice.id, status: status.value }, "updateInvoicePaymentStatus");
  });
  form.append(
    field("Payment status", status, "paymentStatus"),
    h("button", { type: "submit" }, "Update payment status"),
    h("div", { class: "field", "data-path": "id" }, voiding, confirm, h("p", { class: "error", role: "alert", hidden: true })),
    general,
  );
  return form;
}

// Whether the invoice is also an EN 16931 e-invoice: Factur-X inside the PDF and a UBL
// link; otherwise each reason the server gave, as it gave it.
function eInvoice(invoice) {
  const status = invoice.eInvoice;
  if (status.available) {
    return h(
      "p",
      { "data-e-invoice": "available" },
      "E-invoice: Factur-X inside the PDF · ",
      h("a", { href: status.ublUrl, target: "_blank", rel: "noopener", class: "ubl" }, "UBL (Peppol BIS 3.0)"),
    );
  }
  return h(
    "div",
    { "data-e-invoice": "unavailable" },
    h("p", {}, "No e-invoice: the PDF carries no XML, because"),
    h("ul", {}, status.problems.map((p) => h("li", { "data-problem": p.code }, `${p.message} (${p.code})`))),
  );
}

export async function invoicePage(id) {
  const { invoice } = await gql(INVOICE, { id });
  if (!invoice) return h("p", { class: "error", role: "alert" }, "No such invoice.");
  const money = await currency(invoice.currency);
  const page = h("section", {});
  const reload = async () => page.replaceWith(await invoicePage(id));
  const amount = (minor) => formatMoney(minor, money);
  const total = (label, minor, name) => [
    h("dt", {}, label),
    h("dd", { "data-total": name, "data-minor": minor }, amount(minor)),
  ];
  page.append(
    h("h1", {}, "Invoice ", h("span", { "data-invoice-number": true }, invoice.number)),
    h(
      "p",
      {},
      h("a", { href: `#/customers/${invoice.customer.id}` }, invoice.customer.name ?? invoice.customer.externalId),
      ` · issued ${invoice.issuingDate} · due ${invoice.paymentDueDate} · `,
      h("span", { "data-status": true }, invoice.status),
      " · payment ",
      h("span", { "data-payment-status": true }, invoice.paymentStatus),
      invoice.paymentOverdue ? " (overdue)" : "",
    ),
    h("p", {}, h("a", { href: invoice.fileUrl, target: "_blank", rel: "noopener", class: "pdf" }, "Download the PDF")),
    eInvoice(invoice),
    h(
      "table",
      { class: "list" },
      h("thead", {}, h("tr", {}, ["Item", "Description", "Units", "Unit price", "Amount"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        invoice.fees.map((fee) =>
          h(
            "tr",
            {},
            h("td", {}, fee.invoiceName),
            h("td", {}, fee.description ?? ""),
            h("td", { class: "amount" }, formatDecimal(fee.units)),
            h("td", { class: "amount" }, amount(fee.unitAmountCents)),
            h("td", { class: "amount" }, amount(fee.amountCents)),
          ),
        ),
      ),
    ),
    h(
      "dl",
      { class: "totals" },
      total("Fees", invoice.feesAmountCents, "fees"),
      invoice.appliedTaxes.flatMap((tax) => total(`${tax.taxName} (${tax.taxCategory} ${tax.taxRate} %)`, tax.amountCents, `tax-${tax.taxCode}`)),
      total("Taxes", invoice.taxesAmountCents, "taxes"),
      total("Total", invoice.totalAmountCents, "total"),
    ),
    invoice.status === "VOIDED" ? h("p", {}, "Voided: no further change.") : actions(invoice, reload),
  );
  return page;
}
