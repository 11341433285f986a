"""The customer an invoice is issued to, claimed: found, locked until commit, and its invoice
counter advanced, in one statement; and, when it has none yet, given the invoice's currency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core, read_only
from models.store.inserts import table_of_model
from models.store.tables import Customer

_CUSTOMERS = table_of_model(Customer)
# Bind names apart from column names: an UPDATE reserves those for its SET clause.
_SET_CURRENCY = update(_CUSTOMERS).where(_CUSTOMERS.c.id == bindparam("b_id"))
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
    numbers never repeat. A Core row (models/store/core_rows.py): `with_currency` is how it
    changes.
    """
    if customer_id is None and external_id is None:
        return None
    statement = _statement(customer_id is not None, external_id is not None)
    params = {
        "b_organization_id": organization_id,
        "b_id": customer_id,
        "b_external_id": external_id,
    }
    found = read_only(Customer, await execute_core(session, statement, params))
    return found[0] if found else None


async def with_currency(
    session: AsyncSession, customer: Customer, currency: str, now: datetime
) -> Customer:
    """Rule 3 (models/invoicing): the customer takes the invoice's currency; the customer as
    it is now."""
    await execute_core(
        session, _SET_CURRENCY, {"b_id": customer.id, "currency": currency, "updated_at": now}
    )
    values = {column.key: getattr(customer, column.key) for column in _CUSTOMERS.columns}
    return Customer(**{**values, "currency": currency, "updated_at": now})


def _statement(by_id: bool, by_external_id: bool) -> Any:
    key = (by_id, by_external_id)
    statement = _CLAIM.get(key)
    if statement is None:
        columns = _CUSTOMERS.c
        statement = (
            update(_CUSTOMERS)
            .where(columns.organization_id == bindparam("b_organization_id"))
            .values(invoice_seq=columns.invoice_seq + 1)
            .returning(*columns)
        )
        if by_id:
            statement = statement.where(columns.id == bindparam("b_id"))
        if by_external_id:
            statement = statement.where(columns.external_id == bindparam("b_external_id"))
        _CLAIM[key] = statement
    return statement
