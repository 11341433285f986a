// An invoice as issued: its number, fees, taxes, totals and document.

import { currency, gql } from "./api.js";
import { h } from "./dom.js";
import { formatDecimal, formatMoney } from "./money.js";

const INVOICE = `
query($id: ID!) {
  invoice(id: $id) {
    id number status paymentStatus currency issuingDate paymentDueDate fileUrl
    feesAmountCents taxesAmountCents totalAmountCents
    customer { id name externalId }
    fees { invoiceName description units unitAmountCents amountCents }
    appliedTaxes { taxCode taxName taxRate amountCents }
  }
}`;

export async function invoicePage(id) {
  const { invoice } = await gql(INVOICE, { id });
  if (!invoice) return h("p", { class: "error", role: "alert" }, "No such invoice.");
  const money = await currency(invoice.currency);
  const amount = (minor) => formatMoney(minor, money);
  const total = (label, minor, name) => [
    h("dt", {}, label),
    h("dd", { "data-total": name, "data-minor": minor }, amount(minor)),
  ];
  return h(
    "section",
    {},
    h("h1", {}, "Invoice ", h("span", { "data-invoice-number": true }, invoice.number)),
    h(
      "p",
      {},
      h("a", { href: `#/customers/${invoice.customer.id}` }, invoice.customer.name ?? invoice.customer.externalId),
      ` · issued ${invoice.issuingDate} · due ${invoice.paymentDueDate} · `,
      h("span", { "data-status": true }, invoice.status),
      " · payment ",
      h("span", { "data-payment-status": true }, invoice.paymentStatus),
    ),
    h("p", {}, h("a", { href: invoice.fileUrl, target: "_blank", rel: "noopener", class: "pdf" }, "Download the PDF")),
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
      invoice.appliedTaxes.flatMap((tax) => total(`${tax.taxName} (${tax.taxRate} %)`, tax.amountCents, `tax-${tax.taxCode}`)),
      total("Taxes", invoice.taxesAmountCents, "taxes"),
      total("Total", invoice.totalAmountCents, "total"),
    ),
  );
}
