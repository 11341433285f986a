// "Create one-off invoice", as the seed's guide walks it: add add-ons (the same one twice if
// need be), edit units, unit price (0 allowed) and description, see the totals, Create.
// The totals come from previewOneOffInvoice, computed by the server's own invoicing code.

import { currency, gql, idempotencyKey } from "./api.js";
import { clearErrors, debounce, field, h, showErrors } from "./dom.js";
import { formatMoney, toMajor, toMinor, units } from "./money.js";
import { addOnPicker } from "./picker.js";

const CONTEXT = `
query($id: ID!) {
  customer(id: $id) { id externalId name currency }
  __type(name: "CurrencyCode") { enumValues { name } }
}`;
const TOTALS = `currency feesAmountCents taxesAmountCents totalAmountCents fees { amountCents }
  appliedTaxes { taxCode taxName taxRate amountCents }`;
const PREVIEW = `query($input: PreviewOneOffInvoiceInput!) {
  previewOneOffInvoice(input: $input) { preview { ${TOTALS} } userErrors { field code message } }
}`;
const CREATE = `mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) { invoice { id number } userErrors { field code message } }
}`;

export async function newInvoicePage(customerId) {
  const { customer, __type } = await gql(CONTEXT, { id: customerId });
  if (!customer) return h("p", { class: "error", role: "alert" }, "No such customer.");
  const fees = []; // {addOn, units, price, priceTouched, description, displayName, taxCodes}
  // One key per attempt to issue: kept while the outcome of a Create is unknown, so that
  // pressing Create again returns the invoice it may have issued, never a second one.
  let key = idempotencyKey();
  const general = h("div", { class: "error general", role: "alert", hidden: true });
  const rows = h("div", { class: "fees" });
  const totals = h("div", { class: "totals", "aria-live": "polite" });
  const create = h("button", { type: "submit", class: "primary", disabled: true }, "Create");
  const form = h("form", { class: "invoice-form", novalidate: true });
  // Enter in a text field must not issue an invoice: only the Create button does.
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof HTMLInputElement) event.preventDefault();
  });

  let chosenCurrency = null;
  const currencySelect = customer.currency
    ? null
    : h("select", {}, h("option", { value: "" }, "The add-ons' currency"),
        __type.enumValues.map(({ name }) => h("option", { value: name }, name)));
  currencySelect?.addEventListener("change", async () => {
    chosenCurrency = currencySelect.value || null;
    await prefillPrices();
    renderRows();
    refresh();
  });

  const invoiceCurrency = () =>
    customer.currency ?? chosenCurrency ?? fees[0]?.addOn.amountCurrency ?? null;

  async function prefillPrices() {
    const code = invoiceCurrency();
    for (const fee of fees) {
      if (fee.priceTouched) continue;
      const { addOn } = fee;
      fee.price = addOn.amountCurrency === code
        ? toMajor(addOn.amountCents, (await currency(code)).exponent)
        : "";
    }
  }

  function feeRow(fee, index) {
    const at = `fees.${index}`;
    const input = (value, onInput, attributes = {}) => {
      const element = h("input", { type: "text", ...attributes });
      element.value = value;
      element.addEventListener("input", () => {
        onInput(element.value);
        refresh();
      });
      return element;
    };
    return h(
      "fieldset",
      { class: "fee", "data-path": at },
      h("legend", {}, `${fee.addOn.name} (${fee.addOn.code})`),
      h("p", { class: "error", role: "alert", hidden: true }),
      field("Units", input(fee.units, (v) => (fee.units = v), { inputmode: "decimal" }), `${at}.units`),
      field(
        `Unit price (${invoiceCurrency() ?? "invoice currency"})`,
        input(fee.price, (v) => { fee.price = v; fee.priceTouched = true; }, { inputmode: "decimal" }),
        `${at}.unitAmountCents`,
      ),
      field("Description", input(fee.description, (v) => (fee.description = v)), `${at}.description`),
      field("Display name (optional)", input(fee.displayName, (v) => (fee.displayName = v)), `${at}.invoiceDisplayName`),
      field(
        "Tax codes (comma-separated; blank for the defaults)",
        input(fee.taxCodes, (v) => (fee.taxCodes = v)),
        `${at}.taxCodes`,
      ),
      h("p", { class: "fee-amount" }, "Amount: ", h("output", { "data-fee-amount": index }, "—")),
      h("button", { type: "button", class: "remove", onclick: () => { fees.splice(index, 1); renderRows(); refresh(); } },
        `Remove ${fee.addOn.name}`),
    );
  }

  function renderRows() {
    rows.replaceChildren(...fees.map(feeRow));
    if (!fees.length) rows.append(h("p", { class: "hint" }, "No add-on yet."));
  }

  // The request as the API takes it, or null (with the reason shown) when a field is not
  // a number yet: those are the browser's only checks; every other one is the server's.
  async function request() {
    const code = invoiceCurrency();
    const exponent = code ? (await currency(code)).exponent : null;
    const local = [];
    const input = {
      customerId: customer.id,
      currency: chosenCurrency,
      fees: fees.map((fee, index) => {
        const count = fee.units.trim() === "" ? null : units(fee.units);
        if (count === null && fee.units.trim() !== "") {
          local.push({ field: ["fees", `${index}`, "units"], code: "INVALID_VALUE", message: "Units must be a number." });
        }
        let price = null;
        if (fee.price.trim() !== "") {
          price = exponent === null ? null : toMinor(fee.price, exponent);
          if (price === null) {
            local.push({ field: ["fees", `${index}`, "unitAmountCents"], code: "INVALID_VALUE", message: "The unit price must be a number." });
          }
        }
        const taxCodes = fee.taxCodes.trim() === "" ? null : fee.taxCodes.split(",").map((c) => c.trim()).filter(Boolean);
        return {
          addOnId: fee.addOn.id,
          units: count,
          unitAmountCents: price,
          description: fee.description,
          invoiceDisplayName: fee.displayName.trim() || null,
          taxCodes,
        };
      }),
    };
    if (local.length) {
      showErrors(form, local, general);
      return null;
    }
    return input;
  }

  let asked = 0;
  const hint = (text) => {
    totals.replaceChildren(h("p", { class: "hint" }, text));
    for (const output of form.querySelectorAll("[data-fee-amount]")) output.textContent = "—";
  };
  const ask = debounce(async (mine) => {
    if (!fees.length) {
      clearErrors(form, general);
      hint("Add an add-on to see the totals.");
      return;
    }
    const input = await request();
    if (mine !== asked) return;
    if (input === null) {
      hint("No totals until the errors above are fixed.");
      return;
    }
    let answer;
    try {
      ({ previewOneOffInvoice: answer } = await gql(PREVIEW, { input }));
    } catch (error) {
      if (mine === asked) hint(`No totals: ${error.message}`);
      return;
    }
    if (mine !== asked) return; // a later edit asked again
    showErrors(form, answer.userErrors, general);
    await showTotals(answer.preview, mine);
    if (mine === asked) create.disabled = false;
  }, 200);
  // Until the totals shown are those of the fees shown, Create waits.
  function refresh() {
    create.disabled = true;
    totals.setAttribute("aria-busy", "true");
    ask(++asked);
  }

  async function showTotals(preview, mine) {
    totals.removeAttribute("aria-busy");
    if (!preview) {
      hint("No totals until the errors above are fixed.");
      return;
    }
    const money = await currency(preview.currency);
    if (mine !== asked) return;
    const amount = (label, minor, name) =>
      [h("dt", {}, label), h("dd", { "data-total": name, "data-minor": minor }, formatMoney(minor, money))];
    preview.fees.forEach((fee, index) => {
      const output = form.querySelector(`[data-fee-amount="${index}"]`);
      if (output) output.textContent = formatMoney(fee.amountCents, money);
    });
    totals.replaceChildren(
      h("h2", {}, `Totals (${preview.currency})`),
      h(
        "dl",
        {},
        amount("Fees", preview.feesAmountCents, "fees"),
        preview.appliedTaxes.flatMap((tax) => amount(`${tax.taxName} (${tax.taxRate} %)`, tax.amountCents, `tax-${tax.taxCode}`)),
        amount("Taxes", preview.taxesAmountCents, "taxes"),
        amount("Total", preview.totalAmountCents, "total"),
      ),
    );
  }

  const picker = addOnPicker(async (addOn) => {
    fees.push({ addOn, units: "1", price: "", priceTouched: false, description: addOn.description ?? "", displayName: "", taxCodes: "" });
    await prefillPrices();
    renderRows();
    rows.querySelector("fieldset:last-of-type input")?.focus();
    refresh();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (create.disabled) return;
    const input = await request();
    if (input === null) return;
    create.disabled = true;
    let answer;
    try {
      ({ createOneOffInvoice: answer } = await gql(CREATE, { input: { ...input, idempotencyKey: key } }));
    } catch (error) {
      clearErrors(form, general);
      general.hidden = false;
      general.append(
        h("p", {}, `No answer from the server (${error.message}): the invoice may have been issued. `
          + "Press Create again to find out: the same request returns the same invoice, never a second one."),
      );
      create.disabled = false;
      return;
    }
    showErrors(form, answer.userErrors, general);
    if (answer.invoice) {
      location.hash = `#/invoices/${answer.invoice.id}`;
      return;
    }
    if (answer.userErrors.some((error) => error.code === "IDEMPOTENCY_KEY_REUSED")) {
      // The unanswered attempt did issue, with the fees as they were then: say where it is.
      general.append(h("p", {}, "An invoice was already issued from this form: ", h("a", { href: "#/invoices" }, "see Invoices"), "."));
    } else {
      // Refused, nothing was written: the next attempt is a new request with a key of its own.
      key = idempotencyKey();
    }
    create.disabled = false;
  });

  renderRows();
  refresh();
  form.append(
    h("h1", {}, `Create one-off invoice for ${customer.name ?? customer.externalId}`),
    currencySelect
      ? field("Currency", currencySelect, "currency")
      : h("p", { "data-path": "currency" }, `Currency: ${customer.currency} (the customer's)`),
    h("h2", {}, "Add-ons"),
    rows,
    picker,
    totals,
    general,
    create,
  );
  return form;
}
