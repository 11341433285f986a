"""Reading invoices: lookups, pages, and the batch queries behind the DataLoaders."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

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
    """Invoices by id, alone (invoices_with_parts reads them with what they are made of)."""
    rows = await session.exec(select(Invoice).where(col(Invoice.id).in_(invoice_ids)))
    return {invoice.id: invoice for invoice in rows}


@dataclass(frozen=True)
class InvoiceParts:
    """What the invoices of a page are made of, each by the id its batch query takes; None
    for a part not asked for."""

    fees: dict[str, list[Fee]] | None  # by invoice id
    fee_taxes: dict[str, list[FeeAppliedTax]] | None  # by fee id
    applied_taxes: dict[str, list[InvoiceAppliedTax]] | None  # by invoice id
    customers: dict[str, Customer] | None  # by customer id


async def invoice_parts(
    session: AsyncSession,
    invoices: Sequence[Invoice],
    *,
    fees: bool,
    fee_taxes: bool,
    applied_taxes: bool,
    customers: bool,
) -> InvoiceParts:
    """The parts asked for, one query each, in the caller's session; every invoice (and fee)
    has an entry, empty when it has none."""
    ids = [invoice.id for invoice in invoices]
    by_invoice = await fees_of_invoices(session, ids) if fees or fee_taxes else None
    fee_ids = [fee.id for invoice_id in ids for fee in (by_invoice or {}).get(invoice_id, [])]
    taxes = await taxes_of_fees(session, fee_ids) if fee_taxes and fee_ids else {}
    applied = await applied_taxes_of_invoices(session, ids) if applied_taxes else None
    customer_ids = list(dict.fromkeys(invoice.customer_id for invoice in invoices))
    return InvoiceParts(
        fees={i: by_invoice.get(i, []) for i in ids} if fees and by_invoice is not None else None,
        fee_taxes={f: taxes.get(f, []) for f in fee_ids} if fee_taxes else None,
        applied_taxes={i: applied.get(i, []) for i in ids} if applied is not None else None,
        customers=await customers_by_id(session, customer_ids) if customers else None,
    )


async def invoices_with_parts(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, tuple[Invoice, InvoiceParts]]:
    """The batch read behind a page of invoice events: each invoice with every part, read
    once for all the listeners of the batch, whatever each of them selects."""
    invoices = await invoices_by_id(session, invoice_ids)
    parts = await invoice_parts(
        session,
        list(invoices.values()),
        fees=True,
        fee_taxes=True,
        applied_taxes=True,
        customers=True,
    )
    return {invoice_id: (invoice, parts) for invoice_id, invoice in invoices.items()}
