"""Why an invoice cannot be carried as an EN 16931 e-invoice: each reason a code, a message
and the EN 16931 rule it comes from. An invoice with any of them is issued all the same, as
a PDF without XML and with no UBL link, and `Invoice.eInvoice.problems` says why: refusing
to issue would stop billing over a missing address, and rounding or inventing a value to
fit the standard would make the e-invoice say something the invoice does not.
"""

from __future__ import annotations

from decimal import Decimal

from models.billing.money import currency_exponent
from models.billing.statuses import InvoiceStatus
from models.billing.vat_categories import EXEMPTING, VatCategory
from models.einvoices.parties import party_problems
from models.einvoices.problem_codes import VOIDED_INVOICE, Add, Problem, ProblemCode
from models.einvoices.terms import Issued, text

__all__ = ["VOIDED_INVOICE", "Problem", "ProblemCode", "problems_of"]

# EN 16931 amounts have at most two decimals (BR-DEC-*).
MAX_DECIMALS = 2


def problems_of(issued: Issued) -> list[Problem]:
    """Every reason `issued` cannot be an EN 16931 e-invoice, in a stable order; none when
    it can."""
    found: list[Problem] = []

    def add(code: ProblemCode, message: str) -> None:
        found.append(Problem(code, message))

    invoice = issued.invoice
    if invoice.status == InvoiceStatus.VOIDED:
        found.append(VOIDED_INVOICE)
    if currency_exponent(invoice.currency) > MAX_DECIMALS:
        add(
            ProblemCode.CURRENCY_DECIMALS,
            f"{invoice.currency} has {currency_exponent(invoice.currency)} decimals and "
            f"EN 16931 amounts at most {MAX_DECIMALS} (BR-DEC): its amounts cannot be carried "
            "exactly, and are not rounded",
        )
    party_problems(issued, add)
    _taxes(issued, add)
    return found


def _taxes(issued: Issued, add: Add) -> None:
    for fee in issued.fees:
        taxes = issued.fee_taxes.get(fee.id, ())
        if not text(fee.invoice_name):
            add(
                ProblemCode.FEE_NAME_MISSING,
                f"fee {fee.position + 1}'s name holds no text an e-invoice can carry, only "
                "control characters (BR-25)",
            )
        if not taxes:
            add(
                ProblemCode.FEE_WITHOUT_TAX,
                f"fee {fee.position + 1} ({fee.invoice_name}) has no tax: every line of an "
                "e-invoice has a VAT category (BT-151); give it one, Z, E or O for instance",
            )
        elif len(taxes) > 1:
            add(
                ProblemCode.FEE_WITH_SEVERAL_TAXES,
                f"fee {fee.position + 1} ({fee.invoice_name}) has {len(taxes)} taxes: a line "
                "of an e-invoice has one VAT category and rate (BT-151, BT-152)",
            )
    seen: dict[tuple[str, Decimal], str] = {}
    for tax in issued.taxes:
        if tax.tax_category in (VatCategory.S, VatCategory.L) and tax.tax_rate == 0:
            add(
                ProblemCode.STANDARD_RATE_ZERO,
                f"tax {tax.tax_code} is of category {tax.tax_category} at 0 %, which "
                "takes a rate above 0: set its category (Z, E, O, …) (BR-S-05, BR-AF-05)",
            )
        reason = text(tax.tax_exemption_reason or "") or tax.tax_exemption_reason_code
        if tax.tax_category in EXEMPTING and not reason:
            add(
                ProblemCode.EXEMPTION_REASON_MISSING,
                f"tax {tax.tax_code} exempts with no reason an e-invoice can carry "
                "(BR-E-10 and its kin)",
            )
        key = (tax.tax_category, tax.tax_rate)
        if key in seen:
            add(
                ProblemCode.TAXES_SHARE_CATEGORY_AND_RATE,
                f"taxes {seen[key]} and {tax.tax_code} are both {tax.tax_category} at "
                f"{tax.tax_rate} %: an e-invoice sums its tax by category and rate, which could "
                "differ by a cent from the invoice's (BR-CO-17)",
            )
        seen.setdefault(key, tax.tax_code)
    categories = {tax.tax_category for tax in issued.taxes}
    if VatCategory.O in categories and len(categories) > 1:
        add(
            ProblemCode.OUTSIDE_SCOPE_MIXED,
            "an invoice outside the scope of VAT (O) has no other VAT category (BR-O-11)",
        )
    if VatCategory.K in categories and any(
        fee.from_datetime is None or fee.to_datetime is None for fee in issued.fees
    ):
        add(
            ProblemCode.PERIOD_MISSING,
            "an intra-community supply needs the period of service (BR-IC-11): give every "
            "fee its fromDatetime and toDatetime",
        )
