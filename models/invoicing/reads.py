"""Reading invoices: lookups, pages, and the batch queries behind the DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.pagination import Page, paginate
from models.store.tables import Customer, Fee, FeeAppliedTax, Invoice, InvoiceAppliedTax


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


async def invoices_by_id(session: AsyncSession, invoice_ids: Sequence[str]) -> dict[str, Invoice]:
    """The batch read behind a page of invoice events."""
    rows = await session.exec(select(Invoice).where(col(Invoice.id).in_(invoice_ids)))
    return {invoice.id: invoice for invoice in rows}
