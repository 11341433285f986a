"""Reading invoices: lookups, pages, the batch queries behind the DataLoaders, the payload."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.pagination import Page, paginate
from models.store.tables import AddOn, Customer, Fee, FeeAppliedTax, Invoice, InvoiceAppliedTax


async def find_invoice(
    session: AsyncSession, organization_id: str, invoice_id: str
) -> Invoice | None:
    return (
        await session.exec(
            select(Invoice).where(
                Invoice.organization_id == organization_id, Invoice.id == invoice_id
            )
        )
    ).first()


async def list_invoices(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    customer_id: str | None,
) -> Page[Invoice]:
    where = [col(Invoice.organization_id) == organization_id]
    if customer_id is not None:
        where.append(col(Invoice.customer_id) == customer_id)
    return await paginate(session, Invoice, where, first=first, after=after)


async def fees_of_invoices(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, list[Fee]]:
    found: dict[str, list[Fee]] = defaultdict(list)
    rows = await session.exec(
        select(Fee).where(col(Fee.invoice_id).in_(invoice_ids)).order_by(col(Fee.position))
    )
    for fee in rows:
        found[fee.invoice_id].append(fee)
    return found


async def taxes_of_fees(
    session: AsyncSession, fee_ids: Sequence[str]
) -> dict[str, list[FeeAppliedTax]]:
    found: dict[str, list[FeeAppliedTax]] = defaultdict(list)
    rows = await session.exec(
        select(FeeAppliedTax)
        .where(col(FeeAppliedTax.fee_id).in_(fee_ids))
        .order_by(col(FeeAppliedTax.position))
    )
    for row in rows:
        found[row.fee_id].append(row)
    return found


async def applied_taxes_of_invoices(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, list[InvoiceAppliedTax]]:
    found: dict[str, list[InvoiceAppliedTax]] = defaultdict(list)
    rows = await session.exec(
        select(InvoiceAppliedTax)
        .where(col(InvoiceAppliedTax.invoice_id).in_(invoice_ids))
        .order_by(col(InvoiceAppliedTax.position))
    )
    for row in rows:
        found[row.invoice_id].append(row)
    return found


async def customers_by_id(
    session: AsyncSession, customer_ids: Sequence[str]
) -> dict[str, Customer]:
    rows = await session.exec(select(Customer).where(col(Customer.id).in_(customer_ids)))
    return {customer.id: customer for customer in rows}


def _money(row: Any, *names: str) -> dict[str, int]:
    return {name: int(getattr(row, name)) for name in names}


def invoice_payload(
    invoice: Invoice,
    customer: Customer,
    fees: Sequence[Fee],
    fee_taxes: dict[str, list[FeeAppliedTax]],
    applied_taxes: Sequence[InvoiceAppliedTax],
    add_ons: dict[str, AddOn],
) -> dict[str, Any]:
    """The invoice as webhook consumers receive it: snake_case, amounts in minor units."""
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
                "applied_taxes": [
                    {
                        "tax_code": tax.tax_code,
                        "tax_name": tax.tax_name,
                        "tax_rate": format(tax.tax_rate, "f"),
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
                "taxable_base_amount_cents": tax.taxable_base_amount_cents,
                "amount_cents": tax.amount_cents,
            }
            for tax in applied_taxes
        ],
    }
