"""The customer an invoice is issued to, claimed: found, locked until commit, and its invoice
counter advanced, in one statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.tables import Customer

# Built once per shape: on SQLite, making a statement cost more than running it.
_CLAIM: dict[tuple[bool, bool], Any] = {}


async def claim_customer(
    session: AsyncSession,
    organization_id: str,
    *,
    customer_id: str | None = None,
    external_id: str | None = None,
) -> Customer | None:
    """The customer with its `invoice_seq` already advanced for the invoice about to be
    issued, its row locked until the transaction ends (customer before organization, always).

    One round trip where a locking read and a counter update took two. A refused invoice
    rolls it back with the rest, so numbers never skip; a concurrent one waits on the row, so
    numbers never repeat.
    """
    if customer_id is None and external_id is None:
        return None
    statement = _statement(customer_id is not None, external_id is not None)
    # Bind names apart from column names: an UPDATE reserves those for its SET clause.
    params = {
        "b_organization_id": organization_id,
        "b_id": customer_id,
        "b_external_id": external_id,
    }
    customer: Customer | None = (await session.execute(statement, params)).scalars().first()
    return customer


def _statement(by_id: bool, by_external_id: bool) -> Any:
    key = (by_id, by_external_id)
    statement = _CLAIM.get(key)
    if statement is None:
        statement = (
            update(Customer)
            .where(col(Customer.organization_id) == bindparam("b_organization_id"))
            .values(invoice_seq=col(Customer.invoice_seq) + 1)
            .returning(Customer)
            # The row comes back whole from RETURNING: nothing in the session to synchronize.
            .execution_options(synchronize_session=False)
        )
        if by_id:
            statement = statement.where(col(Customer.id) == bindparam("b_id"))
        if by_external_id:
            statement = statement.where(col(Customer.external_id) == bindparam("b_external_id"))
        _CLAIM[key] = statement
    return statement
