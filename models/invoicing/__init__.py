"""Invoicing: the createOneOffInvoice use-case and the reads of issued invoices.

May import: models.billing, models.inputs, models.store, models.catalog, models.events,
models.invoicing.

Where a request goes, in order: `request.py` checks it without the database and puts it in
canonical form; `pricing.py` prices it against the catalog; `create.py` runs the one
transaction that numbers it, writes its rows (`rows.py`, with who it is from and to,
`parties.py`) and records its event; `preview.py` runs the same steps and writes nothing.
`lifecycle.py` changes an issued invoice (payment status, void). `reads.py`, `filters.py`
and `payload.py` read invoices back, for the API and for webhook consumers.

The billing rules. Code elsewhere cites them as "rule N (models/invoicing)".

1. One or more fees, at most 100; the same add-on may appear several times.
2. Customer by `customerId` or `externalCustomerId`; add-on by `addOnId` or `addOnCode`.
   Unknown or deleted: CUSTOMER_NOT_FOUND / ADD_ON_NOT_FOUND.
3. Currency. Invoice currency = input `currency` ?? customer currency ?? the add-ons'
   currency (when the fees' add-ons disagree: CURRENCY_REQUIRED). A customer whose currency
   is set accepts only that currency (CURRENCY_MISMATCH). A customer without a currency takes
   the invoice's, in the same transaction.
4. Amount. `unitAmountCents` null: the add-on's `amountCents`, but only when the add-on's
   currency is the invoice's; otherwise UNIT_AMOUNT_REQUIRED on that fee (never the number
   billed in the wrong currency). 0 is a valid unit price.
5. `units` defaults to 1, is >= 0, a decimal with at most 12 decimal places.
   `unitAmountCents` is a decimal >= 0 with at most 12 decimal places (sub-cent prices).
   Fee `amountCents` = round-half-up(units × unitAmountCents); the unrounded product is kept
   as `preciseAmountCents`. Any amount past signed 64 bits: VALUE_OUT_OF_RANGE.
6. `description` null: the add-on's description. Display name on the invoice: fee
   `invoiceDisplayName` ?? add-on `invoiceDisplayName` ?? add-on `name`.
7. Taxes. Which: fee `taxCodes` if given (unknown code: TAX_NOT_FOUND; `[]` means no tax)
   ?? add-on taxes ?? customer taxes ?? organization default taxes; chosen in exactly one
   place, `pricing._fee_taxes`. How much: per tax, the invoice amount =
   round-half-up(Σ over its fees of fee.amountCents × rate / 100), split over those fees by
   largest remainder, so every sum on the invoice adds up to the cent
   (`models.billing.arithmetic`).
8. Totals. `feesAmountCents` = Σ fee amounts; coupons and prepaid credits do not apply
   (both 0); `subTotalExcludingTaxesAmountCents` = fees; `taxesAmountCents` = Σ applied
   taxes; `totalAmountCents` = subtotal + taxes.
9. Issued at once: status FINALIZED, invoiceType ONE_OFF, paymentStatus PENDING when
   total > 0, else SUCCEEDED. `issuingDate` = the creation instant as a date in the
   customer's timezone ?? the organization's ?? UTC; `paymentDueDate` = issuingDate +
   (customer ?? organization net payment term).
10. Number, gapless and unique under any concurrency: PER_CUSTOMER
    `{PREFIX}-{customer sequentialId:03}-{customer invoice seq:03}`, PER_ORGANIZATION
    `{PREFIX}-{YYYYMM in org timezone}-{org invoice seq:03}`.
11. Idempotency: optional `idempotencyKey` (<= 255 chars). Same key and same input: the same
    invoice, no second invoice or event; same key, other input: IDEMPOTENCY_KEY_REUSED.
    Holds for concurrent duplicates too.
12. Atomic: the invoice, its fees, applied taxes, the customer currency update and the
    `invoice.one_off_created` event commit together or not at all. A rejected request
    writes nothing.
13. After issue (lifecycle.py), an invoice changes in two ways only, each locking its row,
    changing it and recording its event in one transaction. `updateInvoicePaymentStatus`
    moves `paymentStatus` between PENDING, SUCCEEDED and FAILED, sets
    `paymentStatusUpdatedAt` and records `invoice.payment_status_updated`; the status it
    already has changes nothing and records nothing; a voided invoice refuses
    (INVOICE_VOIDED). `voidInvoice` takes a PENDING or FAILED invoice to status VOIDED with
    `voidedAt` and records `invoice.voided`; any other refuses (INVOICE_NOT_VOIDABLE). A
    voided invoice keeps its number and its amounts: no gap, no reuse. Unknown or another
    organization's invoice: INVOICE_NOT_FOUND.
"""
