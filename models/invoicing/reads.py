"""Reading invoices: lookups, pages, and the batch queries behind the DataLoaders. The
batch queries read Core rows (models/store/core_rows.py): what they return is only read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import BindParameter, bindparam
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.invoicing.filters import InvoiceFilters, conditions
from models.store.columns import utcnow
from models.store.core_rows import read_only
from models.store.inserts import table_of_model
from models.store.pagination import Page, paginate
from models.store.tables import Customer, Fee, FeeAppliedTax, Invoice, InvoiceAppliedTax

_FEES, _FEE_TAXES = table_of_model(Fee), table_of_model(FeeAppliedTax)
_INVOICE_TAXES, _CUSTOMERS = table_of_model(InvoiceAppliedTax), table_of_model(Customer)
_INVOICES = table_of_model(Invoice)
MAX_BOUND = 10_000

# Built once: a page asks these on every request, and building a select with its IN clause
# cost more than running it (the expanding parameter takes the ids at execution).
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_FEES_OF_INVOICES = (
    core_select(_FEES).where(_FEES.c.invoice_id.in_(_IDS)).order_by(_FEES.c.position)
)
_TAXES_OF_FEES = (
    core_select(_FEE_TAXES).where(_FEE_TAXES.c.fee_id.in_(_IDS)).order_by(_FEE_TAXES.c.position)
)
_TAXES_OF_INVOICES = (
    core_select(_INVOICE_TAXES)
    .where(_INVOICE_TAXES.c.invoice_id.in_(_IDS))
    .order_by(_INVOICE_TAXES.c.position)
)
_CUSTOMERS_BY_ID = core_select(_CUSTOMERS).where(_CUSTOMERS.c.id.in_(_IDS))
_INVOICES_BY_ID = core_select(_INVOICES).where(_INVOICES.c.id.in_(_IDS))


async def find_invoice(
    session: AsyncSession,
    organization_id: str,
    invoice_id: str | None = None,
    *,
    number: str | None = None,
) -> Invoice | None:
    """By id, by number, or by both (then both must match); None when neither is given."""
    if invoice_id is None and number is None:
        return None
    query = select(Invoice).where(Invoice.organization_id == organization_id)
    if invoice_id is not None:
        query = query.where(Invoice.id == invoice_id)
    if number is not None:
        query = query.where(Invoice.number == number)
    return (await session.exec(query)).first()


async def list_invoices(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    customer_id: str | None = None,
    filters: InvoiceFilters | None = None,
) -> Page[Invoice]:
    """A page of the organization's invoices, newest first, that pass every filter given
    (`customer_id` is the customer's own list of invoices, and adds to the filters)."""
    where = conditions(organization_id, filters or InvoiceFilters(), utcnow())
    if customer_id is not None:
        where.append(col(Invoice.customer_id) == customer_id)
    return await paginate(session, Invoice, where, first=first, after=after)


async def fees_of_invoices(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, list[Fee]]:
    found: dict[str, list[Fee]] = defaultdict(list)
    rows = await session.execute(_FEES_OF_INVOICES, {"ids": list(invoice_ids)})
    for fee in read_only(Fee, rows):
        found[fee.invoice_id].append(fee)
    return found


async def taxes_of_fees(
    session: AsyncSession, fee_ids: Sequence[str]
) -> dict[str, list[FeeAppliedTax]]:
    found: dict[str, list[FeeAppliedTax]] = defaultdict(list)
    # A request may gather a hundred thousand fees (30 aliased pages of 100 invoices of 100
    # fees); a statement binds at most 32,766 values on either engine.
    for start in range(0, len(fee_ids), MAX_BOUND):
        rows = await session.execute(_TAXES_OF_FEES, {"ids": fee_ids[start : start + MAX_BOUND]})
        for row in read_only(FeeAppliedTax, rows):
            found[row.fee_id].append(row)
    return found


async def applied_taxes_of_invoices(
    session: AsyncSession, invoice_ids: Sequence[str]
) -> dict[str, list[InvoiceAppliedTax]]:
    found: dict[str, list[InvoiceAppliedTax]] = defaultdict(list)
    rows = await session.execute(_TAXES_OF_INVOICES, {"ids": list(invoice_ids)})
    for row in read_only(InvoiceAppliedTax, rows):
        found[row.invoice_id].append(row)
    return found


async def customers_by_id(
    session: AsyncSession, customer_ids: Sequence[str]
) -> dict[str, Customer]:
    rows = await session.execute(_CUSTOMERS_BY_ID, {"ids": list(customer_ids)})
    return {c.id: c for c in read_only(Customer, rows)}


async def invoices_by_id(session: AsyncSession, invoice_ids: Sequence[str]) -> dict[str, Invoice]:
    """Invoices by id, alone (invoices_with_parts reads them with what they are made of)."""
    rows = await session.execute(_INVOICES_BY_ID, {"ids": list(invoice_ids)})
    return {i.id: i for i in read_only(Invoice, rows)}


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
