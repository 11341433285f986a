"""What an invoice document prints, formatted by babel in the document's locale: the data the
template (invoice.typ) lays out. Labels stay in English; amounts, numbers and dates follow
the locale (JPY with no decimals, KWD with three, EUR in fr as `1 234,56 €`); a sub-cent
unit price is shown with every decimal it was given."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from models.billing.money import EXACT, currency_exponent
from models.billing.statuses import InvoiceStatus
from models.einvoices.terms import covered_days
from models.inputs.identity import DEFAULT_DOCUMENT_LOCALE, document_locale
from models.store.tables import Fee, Invoice, InvoiceAppliedTax

LABELS = {
    "invoice": "Invoice",
    "number": "Number",
    "issued": "Issued",
    "due": "Due",
    "currency": "Currency",
    "bill_to": "Bill to",
    "tax_id": "Tax ID",
    "registration": "Registration no.",
    "columns": ["Item", "Description", "Units", "Unit price", "Amount"],
    "tax_columns": ["Tax", "Rate", "Taxable base", "Amount"],
    "fees": "Fees",
    "taxes": "Taxes",
    "total": "Total",
    "purchase_order": "Purchase order",
}
_ENGLISH = Locale("en")
# Units and rates as given: up to the 12 decimals an input may carry, none added.
_EXACT = "#,##0.############"


def document_data(
    invoice: Invoice,
    parties: Mapping[str, Any],
    fees: Sequence[Fee],
    taxes: Sequence[InvoiceAppliedTax],
) -> dict[str, Any]:
    """The template's data for `invoice` with its `parties` as issued, VOID when voided."""
    locale = document_locale(str(parties.get("locale") or DEFAULT_DOCUMENT_LOCALE))
    currency = invoice.currency
    # Only invoices issued before snapshots kept it lack it, and they have no fee periods.
    zone = ZoneInfo(str(parties.get("timezone") or "UTC"))

    def money(minor_units: int | Decimal) -> str:
        major = Decimal(minor_units).scaleb(-currency_exponent(currency), context=EXACT)
        # Never rounded: an amount is already whole minor units, a unit price may be finer.
        return _isolated(
            format_currency(major, currency, locale=locale, decimal_quantization=False)
        )

    voided = invoice.status == InvoiceStatus.VOIDED
    return {
        "title": f"Invoice {invoice.number}",
        "lang": locale.language,
        # Labels are English, so the page reads left to right; each value is isolated for
        # the bidirectional algorithm, so that a right-to-left one (an Arabic amount with its
        # marks, say) stays whole and in its own order within the line.
        "rtl": False,
        "void": voided,
        "voided": _instant(invoice.voided_at, locale) if voided else None,
        "labels": LABELS,
        "number": invoice.number,
        "issued": _date(invoice.issuing_date, locale),
        "due": _date(invoice.payment_due_date, locale),
        "currency": currency,
        "seller": _party(parties.get("seller") or {}),
        "buyer": _party(parties.get("buyer") or {}),
        "lines": [
            {
                "name": fee.invoice_name,
                "description": fee.description or "",
                "period": _period(fee, zone, locale),
                "units": _isolated(format_decimal(fee.units, format=_EXACT, locale=locale)),
                "unit_price": money(fee.unit_amount_cents),
                "amount": money(fee.amount_cents),
            }
            for fee in fees
        ],
        "taxes": [
            {
                "name": tax.tax_name,
                "rate": _isolated(
                    format_percent(tax.tax_rate / 100, locale=locale, decimal_quantization=False)
                ),
                "base": money(tax.taxable_base_amount_cents),
                "amount": money(tax.amount_cents),
            }
            for tax in taxes
        ],
        "fees_total": money(invoice.fees_amount_cents),
        "taxes_total": money(invoice.taxes_amount_cents),
        "total": money(invoice.total_amount_cents),
        "purchase_order": invoice.purchase_order_number,
        "metadata": [
            {"key": key, "value": value} for key, value in (invoice.invoice_metadata or {}).items()
        ],
        "note": invoice.note,
        "legal": invoice.footer,
        "footer": f"{invoice.number} · {parties.get('seller', {}).get('name') or ''}",
    }


def _isolated(text: str) -> str:
    # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: invisible, and ignored by text search.
    return f"\u2068{text}\u2069"


def _date(value: date, locale: Locale) -> str:
    return _isolated(format_date(value, format="medium", locale=locale))


def _period(fee: Fee, zone: ZoneInfo, locale: Locale) -> str | None:
    """The period of service as the days it covers where the invoice is dated: two medium
    dates rather than babel's intervals, whose patterns bring characters (Korean's 년 월 일)
    the fonts were not checked for (tests/documents/font_coverage.py)."""
    days = covered_days(fee, zone)
    if days is None:
        return None
    first, last = days
    if first == last:
        return _date(first, locale)
    return f"{_date(first, locale)} – {_date(last, locale)}"


def _instant(value: datetime | None, locale: Locale) -> str:
    if value is None:
        return ""
    return _isolated(f"{format_datetime(value, format='medium', tzinfo=UTC, locale=locale)} UTC")


def _party(party: Mapping[str, Any]) -> dict[str, Any]:
    city = " ".join(part for part in (party.get("zipcode"), party.get("city")) if part)
    country = party.get("country")
    lines = [
        party.get("address_line1"),
        party.get("address_line2"),
        city,
        party.get("state"),
        # In English, as the labels: the fonts do not carry every script CLDR writes country
        # names in (Korean, most of Simplified Chinese's), where amounts and dates they do.
        _ENGLISH.territories.get(country, country) if country else None,
    ]
    return {
        "name": party.get("name") or "",
        "address": [line for line in lines if line],
        "tax_id": party.get("tax_identification_number"),
        "registration": party.get("legal_registration_number"),
        "email": party.get("email"),
    }
