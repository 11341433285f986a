"""The invoice as webhook consumers and subscribers to the outbox receive it.

Snake_case, amounts in minor units, decimals as strings: a published format, pinned byte for
byte by tests/webhooks/test_delivery.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from models.invoicing.rows import FeeRow, FeeTaxRow, InvoiceRow, InvoiceTaxRow
from models.store.tables import (
    AddOn,
    Customer,
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
)


def _money(row: Any, *names: str) -> dict[str, int]:
    return {name: int(getattr(row, name)) for name in names}


def _category(tax: FeeTaxRow | FeeAppliedTax | InvoiceTaxRow | InvoiceAppliedTax) -> dict[str, Any]:
    return {
        "tax_category": tax.tax_category,
        "tax_exemption_reason": tax.tax_exemption_reason,
        "tax_exemption_reason_code": tax.tax_exemption_reason_code,
    }


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def invoice_payload(
    invoice: InvoiceRow | Invoice,
    customer: Customer,
    fees: Sequence[FeeRow | Fee],
    fee_taxes: Mapping[str, Sequence[FeeTaxRow | FeeAppliedTax]],
    applied_taxes: Sequence[InvoiceTaxRow | InvoiceAppliedTax],
    add_ons: Mapping[str, AddOn],
) -> dict[str, Any]:
    """The invoice as webhook consumers receive it: snake_case, amounts in minor units; from
    the rows just built at issue, or from the rows read back for a later change."""
    return {
        "id": invoice.id,
        "number": invoice.number,
        "sequential_id": invoice.sequential_id,
        "invoice_type": invoice.invoice_type.lower(),
        "status": invoice.status.lower(),
        "payment_status": invoice.payment_status.lower(),
        "currency": invoice.currency,
        "issuing_date": invoice.issuing_date.isoformat(),
        "payment_due_date": invoice.payment_due_date.isoformat(),
        "net_payment_term": invoice.net_payment_term,
        **_money(
            invoice,
            "fees_amount_cents",
            "coupons_amount_cents",
            "prepaid_credit_amount_cents",
            "sub_total_excluding_taxes_amount_cents",
            "taxes_amount_cents",
            "sub_total_including_taxes_amount_cents",
            "total_amount_cents",
        ),
        "created_at": invoice.created_at.isoformat(),
        "payment_status_updated_at": _instant(invoice.payment_status_updated_at),
        "voided_at": _instant(invoice.voided_at),
        "purchase_order_number": invoice.purchase_order_number,
        "note": invoice.note,
        "footer": invoice.footer,
        "metadata": invoice.invoice_metadata or {},
        "customer": {
            "id": customer.id,
            "external_id": customer.external_id,
            "sequential_id": customer.sequential_id,
            "name": customer.name,
            "email": customer.email,
            "currency": customer.currency,
            "timezone": customer.timezone,
            "country": customer.country,
        },
        "fees": [
            {
                "id": fee.id,
                "add_on": {
                    "id": fee.add_on_id,
                    "code": add_ons[fee.add_on_id].code,
                    "name": add_ons[fee.add_on_id].name,
                },
                "units": format(fee.units, "f"),
                "unit_amount_cents": format(fee.unit_amount_cents, "f"),
                "precise_amount_cents": format(fee.precise_amount_cents, "f"),
                **_money(fee, "amount_cents", "taxes_amount_cents", "total_amount_cents"),
                "currency": fee.currency,
                "description": fee.description,
                "invoice_display_name": fee.invoice_display_name,
                "invoice_name": fee.invoice_name,
                "from_datetime": _instant(fee.from_datetime),
                "to_datetime": _instant(fee.to_datetime),
                "applied_taxes": [
                    {
                        "tax_code": tax.tax_code,
                        "tax_name": tax.tax_name,
                        "tax_rate": format(tax.tax_rate, "f"),
                        **_category(tax),
                        "amount_cents": tax.amount_cents,
                    }
                    for tax in fee_taxes.get(fee.id, [])
                ],
            }
            for fee in fees
        ],
        "applied_taxes": [
            {
                "tax_code": tax.tax_code,
                "tax_name": tax.tax_name,
                "tax_rate": format(tax.tax_rate, "f"),
                **_category(tax),
                "taxable_base_amount_cents": tax.taxable_base_amount_cents,
                "amount_cents": tax.amount_cents,
            }
            for tax in applied_taxes
        ],
    }
