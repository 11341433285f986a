"""The GraphQL documents the bench sends; each floor answers the same shape as the project."""

from __future__ import annotations

# 2 fees of one add-on taxed by one tax (bench/catalog.py makes it): 2 fees, 1 tax.
CREATE = """mutation($c: ID) { createOneOffInvoice(input: {customerId: $c, fees: [
  {addOnCode: "a", units: "3"}, {addOnCode: "a", unitAmountCents: "0.5"}]}) {
  invoice { id number totalAmountCents } userErrors { code } } }"""

# The same input, previewed: what a form asks on every keystroke.
PREVIEW = """query($c: ID) { previewOneOffInvoice(input: {customerId: $c, fees: [
  {addOnCode: "a", units: "3"}, {addOnCode: "a", unitAmountCents: "0.5"}]}) {
  preview { totalAmountCents } userErrors { code } } }"""

INSERT_FLOOR = "mutation { insertRow(amountCents: 3601) { id } }"

FANOUT_FLOOR = "mutation { createOneOffInvoice { invoice { id number totalAmountCents } } }"

PAGE = """query Page { invoices(first: 50) {
  pageInfo { hasNextPage endCursor }
  edges { cursor node {
    id number sequentialId invoiceType status paymentStatus currency issuingDate
    paymentDueDate netPaymentTerm feesAmountCents couponsAmountCents prepaidCreditAmountCents
    subTotalExcludingTaxesAmountCents taxesAmountCents subTotalIncludingTaxesAmountCents
    totalAmountCents createdAt
    customer { id externalId name email currency }
    fees { id units unitAmountCents preciseAmountCents amountCents taxesAmountCents
           totalAmountCents currency description invoiceName
           appliedTaxes { taxCode taxName taxRate amountCents } }
    appliedTaxes { taxCode taxName taxRate taxableBaseAmountCents amountCents }
  } } } }"""

LISTEN = """subscription { invoiceCreated { cursor
  invoice { id number totalAmountCents fees { amountCents } } } }"""

# The stuck listener asks for the whole invoice: its messages are large enough to fill the
# socket's buffers, as a real stuck client's would.
STUCK_LISTEN = """subscription { invoiceCreated { cursor invoice {
  id number sequentialId invoiceType status paymentStatus currency issuingDate paymentDueDate
  feesAmountCents taxesAmountCents totalAmountCents createdAt
  customer { id externalId name email currency }
  fees { id units unitAmountCents preciseAmountCents amountCents taxesAmountCents
         totalAmountCents currency description invoiceName
         appliedTaxes { taxCode taxName taxRate amountCents } }
  appliedTaxes { taxCode taxName taxRate taxableBaseAmountCents amountCents } } } }"""
