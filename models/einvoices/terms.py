"""An issued invoice in EN 16931's business terms (BT-n, BG-n), the model both syntaxes
write: what it says, taken from the invoice's rows and the parties frozen at its issue, with
amounts in major units exactly as the invoice holds them (never recomputed, never rounded).

`of_invoice` assumes the invoice can be carried (problems.py says when it cannot).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from models.billing.money import EXACT, currency_exponent
from models.billing.vat_categories import VatCategory
from models.einvoices.codes import is_vat_id
from models.store.tables import Fee, FeeAppliedTax, Invoice, InvoiceAppliedTax

# What XML 1.0 cannot carry at all, escaped or not: control characters but tab and line ends
# (an API input may hold them; the PDF prints nothing for them either).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
INVOICE = "380"  # BT-3, UNTDID 1001: commercial invoice
EMAIL = "EM"  # CEF EAS: electronic mail
UNIT = "C62"  # BT-130, UN/ECE Rec 20: one (a unit of whatever the add-on is)


@dataclass(frozen=True)
class Issued:
    """What an e-invoice is made of: the invoice's rows and the parties frozen at its issue."""

    invoice: Invoice
    parties: Mapping[str, Any]
    fees: Sequence[Fee]
    fee_taxes: Mapping[str, Sequence[FeeAppliedTax]]  # by fee id
    taxes: Sequence[InvoiceAppliedTax]


@dataclass(frozen=True)
class Party:  # BG-4 seller, BG-7 buyer
    name: str  # BT-27, BT-44
    vat_id: str | None  # BT-31, BT-48
    line1: str | None  # BT-35, BT-50
    line2: str | None  # BT-36, BT-51
    city: str | None  # BT-37, BT-52
    zipcode: str | None  # BT-38, BT-53
    state: str | None  # BT-39, BT-54
    country: str  # BT-40, BT-55
    email: str | None
    registration: str | None = None  # BT-30, BT-47 legal registration identifier
    peppol_id: str | None = None  # scheme:identifier

    @property
    def endpoint(self) -> tuple[str, str] | None:
        """BT-34, BT-49, the electronic address: (scheme, identifier), the Peppol participant
        identifier when there is one, else the email (scheme EM of the EAS list)."""
        if self.peppol_id:
            scheme, _, identifier = self.peppol_id.partition(":")
            return scheme, identifier
        return (EMAIL, self.email) if self.email else None


@dataclass(frozen=True)
class Line:  # BG-25
    id: str  # BT-126
    name: str  # BT-153
    description: str | None  # BT-154
    quantity: Decimal  # BT-129, in UNIT
    unit_price: Decimal  # BT-146, net, every decimal it was given
    net_amount: Decimal  # BT-131
    category: VatCategory  # BT-151
    rate: Decimal | None  # BT-152; none for category O (BR-O-05)
    period: tuple[date, date] | None  # BG-26, the days covered where the invoice is dated


@dataclass(frozen=True)
class Breakdown:  # BG-23
    category: VatCategory  # BT-118
    rate: Decimal | None  # BT-119
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117
    reason: str | None  # BT-120
    reason_code: str | None  # BT-121


@dataclass(frozen=True)
class EInvoice:
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    due_date: date  # BT-9
    buyer_reference: str  # BT-10: the customer's id in our books
    purchase_order: str | None  # BT-13
    note: str | None  # BT-22
    payment_terms: str  # BT-20
    seller: Party
    buyer: Party
    period: tuple[date, date] | None  # BG-14, the span of the lines' periods
    lines: tuple[Line, ...]
    breakdowns: tuple[Breakdown, ...]
    line_total: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    grand_total: Decimal  # BT-112
    due: Decimal  # BT-115


def of_invoice(issued: Issued) -> EInvoice:
    invoice, exponent = issued.invoice, currency_exponent(issued.invoice.currency)

    def major(minor_units: int | Decimal) -> Decimal:
        return Decimal(minor_units).scaleb(-exponent, context=EXACT)

    zone = ZoneInfo(str(issued.parties.get("timezone") or "UTC"))
    lines = tuple(
        _line(fee, issued.fee_taxes.get(fee.id, ())[0], major, zone) for fee in issued.fees
    )
    periods = [line.period for line in lines if line.period is not None]
    buyer = issued.parties.get("buyer") or {}
    fees_total = major(invoice.fees_amount_cents)
    outside_scope = any(tax.tax_category == VatCategory.O for tax in issued.taxes)
    return EInvoice(
        number=text(invoice.number),
        issue_date=invoice.issuing_date,
        currency=invoice.currency,
        due_date=invoice.payment_due_date,
        buyer_reference=text(buyer.get("external_id") or buyer.get("name") or ""),
        purchase_order=optional_text(invoice.purchase_order_number),
        note=optional_text(invoice.note),
        payment_terms=f"Net {invoice.net_payment_term} days: due {invoice.payment_due_date}",
        # Outside the scope of VAT, an invoice names no VAT identifier (BR-O-02).
        seller=_party(issued.parties.get("seller") or {}, vat=not outside_scope),
        buyer=_party(buyer, vat=not outside_scope),
        period=(
            (min(p[0] for p in periods), max(p[1] for p in periods))
            if periods and len(periods) == len(lines)
            else None
        ),
        lines=lines,
        breakdowns=tuple(
            Breakdown(
                category=VatCategory(tax.tax_category),
                rate=None if tax.tax_category == VatCategory.O else tax.tax_rate,
                taxable=major(tax.taxable_base_amount_cents),
                tax=major(tax.amount_cents),
                reason=optional_text(tax.tax_exemption_reason),
                reason_code=tax.tax_exemption_reason_code,
            )
            for tax in issued.taxes
        ),
        line_total=fees_total,
        # No allowances nor charges on the document level: coupons and credits do not apply.
        tax_exclusive=major(invoice.sub_total_excluding_taxes_amount_cents),
        tax_total=major(invoice.taxes_amount_cents),
        grand_total=major(invoice.total_amount_cents),
        # As issued: a payment recorded later is not part of the document.
        due=major(invoice.total_amount_cents),
    )


def _line(fee: Fee, tax: FeeAppliedTax, major: Any, zone: ZoneInfo) -> Line:
    category = VatCategory(tax.tax_category)
    return Line(
        id=str(fee.position + 1),
        name=text(fee.invoice_name),
        description=optional_text(fee.description),
        quantity=fee.units,
        unit_price=major(fee.unit_amount_cents),
        net_amount=major(fee.amount_cents),
        category=category,
        rate=None if category == VatCategory.O else tax.tax_rate,
        period=covered_days(fee, zone),
    )


def covered_days(fee: Fee, zone: ZoneInfo) -> tuple[date, date] | None:
    """The days a fee's period covers, as its document prints them: one ending at local
    midnight covers none of that day."""
    if fee.from_datetime is None or fee.to_datetime is None:
        return None
    start, end = fee.from_datetime.astimezone(zone), fee.to_datetime.astimezone(zone)
    last = end.date()
    if end > start and end.time() == time(0):
        last -= timedelta(days=1)
    return start.date(), last


def text(value: object) -> str:
    return _NOT_XML.sub("", str(value))


def optional_text(value: object) -> str | None:
    return None if value is None else text(value) or None


def _vat_id(party: Mapping[str, Any]) -> str | None:
    # A tax number that is no VAT identifier (a US EIN) is not one to an e-invoice either:
    # BT-48 is left out where it is optional, and problems.py says so where it is not.
    found = optional_text(party.get("tax_identification_number"))
    return found if found and is_vat_id(found) else None


def _party(party: Mapping[str, Any], *, vat: bool) -> Party:
    return Party(
        name=text(party.get("name") or ""),
        vat_id=_vat_id(party) if vat else None,
        line1=optional_text(party.get("address_line1")),
        line2=optional_text(party.get("address_line2")),
        city=optional_text(party.get("city")),
        zipcode=optional_text(party.get("zipcode")),
        state=optional_text(party.get("state")),
        country=str(party.get("country") or ""),
        email=optional_text(party.get("email")),
        registration=optional_text(party.get("legal_registration_number")),
        peppol_id=optional_text(party.get("peppol_id")),
    )
