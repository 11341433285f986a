"""Why an invoice cannot be carried as an EN 16931 e-invoice: each reason a code, a message
and the EN 16931 rule it comes from. An invoice with any of them is issued all the same, as
a PDF without XML and with no UBL link, and `Invoice.eInvoice.problems` says why: refusing
to issue would stop billing over a missing address, and rounding or inventing a value to
fit the standard would make the e-invoice say something the invoice does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from babel import Locale

from models.billing.money import currency_exponent
from models.billing.statuses import InvoiceStatus
from models.billing.vat_categories import NEEDS_BUYER_VAT_ID, VatCategory
from models.einvoices.terms import Issued

# EN 16931 amounts have at most two decimals (BR-DEC-*).
MAX_DECIMALS = 2
_TERRITORIES = frozenset(Locale("en").territories)
_VAT_PREFIX = re.compile(r"[A-Z]{2}")


class ProblemCode(StrEnum):
    INVOICE_VOIDED = "INVOICE_VOIDED"
    CURRENCY_DECIMALS = "CURRENCY_DECIMALS"
    SELLER_LEGAL_NAME_MISSING = "SELLER_LEGAL_NAME_MISSING"
    SELLER_ADDRESS_MISSING = "SELLER_ADDRESS_MISSING"
    SELLER_VAT_ID_MISSING = "SELLER_VAT_ID_MISSING"
    SELLER_VAT_ID_INVALID = "SELLER_VAT_ID_INVALID"
    SELLER_REGISTRATION_MISSING = "SELLER_REGISTRATION_MISSING"
    BUYER_COUNTRY_MISSING = "BUYER_COUNTRY_MISSING"
    BUYER_VAT_ID_MISSING = "BUYER_VAT_ID_MISSING"
    BUYER_VAT_ID_INVALID = "BUYER_VAT_ID_INVALID"
    FEE_WITHOUT_TAX = "FEE_WITHOUT_TAX"
    FEE_WITH_SEVERAL_TAXES = "FEE_WITH_SEVERAL_TAXES"
    STANDARD_RATE_ZERO = "STANDARD_RATE_ZERO"
    TAXES_SHARE_CATEGORY_AND_RATE = "TAXES_SHARE_CATEGORY_AND_RATE"
    OUTSIDE_SCOPE_MIXED = "OUTSIDE_SCOPE_MIXED"
    PERIOD_MISSING = "PERIOD_MISSING"


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    message: str


Add = Callable[[ProblemCode, str], None]


VOIDED_INVOICE = Problem(
    ProblemCode.INVOICE_VOIDED, "a voided invoice is not issued as an e-invoice"
)


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
    _parties(issued, add)
    _taxes(issued, add)
    return found


def _parties(issued: Issued, add: Add) -> None:
    seller = issued.parties.get("seller") or {}
    buyer = issued.parties.get("buyer") or {}
    if not seller.get("legal_name"):
        add(
            ProblemCode.SELLER_LEGAL_NAME_MISSING,
            "the organization had no legal name at issue (BT-27)",
        )
    if not (seller.get("address_line1") and seller.get("city") and seller.get("country")):
        add(
            ProblemCode.SELLER_ADDRESS_MISSING,
            "the organization had no full address at issue: line 1, city and country (BG-5)",
        )
    if not buyer.get("country"):
        add(ProblemCode.BUYER_COUNTRY_MISSING, "the customer had no country at issue (BR-11)")
    categories = {VatCategory(tax.tax_category) for tax in issued.taxes}
    if VatCategory.O in categories:
        # Outside the scope of VAT no VAT identifier may be named (BR-O-02): the seller is
        # identified by its registration instead (BR-CO-26).
        if not seller.get("legal_registration_number"):
            add(
                ProblemCode.SELLER_REGISTRATION_MISSING,
                "an invoice outside the scope of VAT (O) names no VAT identifier (BR-O-02), "
                "so it identifies the seller by its legal registration number (BT-30, "
                "BR-CO-26), which the organization did not have at issue",
            )
    else:
        seller_vat = seller.get("tax_identification_number")
        if not seller_vat:
            add(
                ProblemCode.SELLER_VAT_ID_MISSING,
                "the organization had no VAT identifier at issue (BT-31, BR-S-02)",
            )
        elif not _prefixed(seller_vat):
            add(
                ProblemCode.SELLER_VAT_ID_INVALID,
                f"the organization's VAT identifier {seller_vat!r} does not start with its "
                "country's code (BR-CO-09)",
            )
    buyer_vat = buyer.get("tax_identification_number")
    if not buyer_vat and categories & NEEDS_BUYER_VAT_ID:
        add(
            ProblemCode.BUYER_VAT_ID_MISSING,
            "reverse charge and intra-community supply need the customer's VAT identifier "
            "(BR-AE-02, BR-IC-02)",
        )
    elif buyer_vat and categories != {VatCategory.O} and not _prefixed(buyer_vat):
        add(
            ProblemCode.BUYER_VAT_ID_INVALID,
            f"the customer's VAT identifier {buyer_vat!r} does not start with its country's "
            "code (BR-CO-09)",
        )


def _prefixed(vat_id: str) -> bool:
    prefix = vat_id[:2]
    return bool(_VAT_PREFIX.fullmatch(prefix)) and (prefix in _TERRITORIES or prefix == "EL")


def _taxes(issued: Issued, add: Add) -> None:
    for fee in issued.fees:
        taxes = issued.fee_taxes.get(fee.id, ())
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
        if tax.tax_category == VatCategory.S and tax.tax_rate == 0:
            add(
                ProblemCode.STANDARD_RATE_ZERO,
                f"tax {tax.tax_code} is standard rated (S) at 0 %: set its category "
                "(Z, E, O, …) (BR-S-05)",
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
