"""Finding invoices: `invoice(id, number)` and the filtered, keyset-paged `invoices`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.customers import Customer
from graph.enums import InvoiceStatus, PaymentStatus
from graph.invoices import Invoice
from graph.scalars import CurrencyCode, currency_value
from graph.selection import requested_names
from models.invoicing import reads
from models.invoicing.filters import InvoiceFilters
from models.store import tables

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession


def _described(text: str) -> object:
    return strawberry.argument(description=text)


@strawberry.type
class InvoiceQuery:
    @strawberry.field(
        description="One invoice, by id or by number (given both, both must match); null "
        "when it is not one of your organization's."
    )
    async def invoice(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, _described("The invoice's id.")] = None,
        number: Annotated[str | None, _described("The invoice's number.")] = None,
    ) -> Invoice | None:
        organization_id = info.context.organization_id
        async with info.context.db.read() as session:
            row = await reads.find_invoice(
                session, organization_id, None if id is None else str(id), number=number
            )
        return Invoice.of(row) if row else None

    @strawberry.field(
        description="Invoices, newest first, that pass every filter given (each omitted or "
        "null filter is left out)."
    )
    async def invoices(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        customer_id: Annotated[
            strawberry.ID | None, _described("Only this customer's, by id.")
        ] = None,
        external_customer_id: Annotated[
            str | None, _described("Only this customer's, by your id.")
        ] = None,
        status: Annotated[InvoiceStatus | None, _described("Only in this status.")] = None,
        payment_status: Annotated[
            PaymentStatus | None, _described("Only with this payment status.")
        ] = None,
        currency: Annotated[CurrencyCode | None, _described("Only in this currency.")] = None,
        issuing_date_from: Annotated[
            date | None, _described("Only issued on this date or later.")
        ] = None,
        issuing_date_to: Annotated[
            date | None, _described("Only issued on this date or earlier.")
        ] = None,
        search_term: Annotated[
            str | None,
            _described(
                "Matches the number, the purchase order number, the customer's name or "
                "external id, case-insensitively."
            ),
        ] = None,
        payment_overdue: Annotated[
            bool | None,
            _described(
                "true: only the overdue ones (see Invoice.paymentOverdue); false: only the others."
            ),
        ] = None,
    ) -> Connection[Invoice]:
        filters = InvoiceFilters(
            customer_id=None if customer_id is None else str(customer_id),
            external_customer_id=external_customer_id,
            status=status,
            payment_status=payment_status,
            currency=currency_value(currency),
            issuing_date_from=issuing_date_from,
            issuing_date_to=issuing_date_to,
            search_term=search_term,
            payment_overdue=payment_overdue,
        )
        return await invoice_page(info, first, after, None, filters=filters)


async def invoice_page(
    info: Info,
    first: int | None,
    after: str | None,
    customer_id: str | None,
    *,
    filters: InvoiceFilters | None = None,
    load_parts: bool = True,
) -> Connection[Invoice]:
    """`load_parts` False for a page nested in a list (each customer's invoices): loading
    there would cost queries per row of that list, where the loaders batch across it."""
    loaded: list[reads.InvoiceParts] = []
    customers: dict[str, Customer] = {}

    async def prefetch(session: AsyncSession, rows: list[tables.Invoice]) -> None:
        parts = await parts_asked_for(info, session, rows)
        loaded.append(parts)
        # A customer's invoices share one Customer: building it again for each of them cost
        # a page a fortieth of its time.
        customers.update({key: Customer.of(row) for key, row in (parts.customers or {}).items()})

    return await paged(
        info,
        reads.list_invoices,
        lambda row: Invoice.of(row, loaded[0] if loaded else None, customers.get(row.customer_id)),
        prefetch=prefetch if load_parts else None,
        first=first,
        after=after,
        customer_id=customer_id,
        filters=filters,
    )


async def parts_asked_for(
    info: Info, session: AsyncSession, rows: Sequence[tables.Invoice]
) -> reads.InvoiceParts:
    """What the query asks of these invoices, a query per part, read in the caller's session.
    Chosen by field name anywhere below this field: more than needed at worst, never less."""
    names = requested_names(info)
    return await reads.invoice_parts(
        session,
        rows,
        fees="fees" in names,
        fee_taxes="fees" in names and "appliedTaxes" in names,
        applied_taxes="appliedTaxes" in names,
        customers="customer" in names,
    )
