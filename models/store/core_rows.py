"""Rows read with Core for reads that only read: SQLAlchemy's ORM builds an object per row,
with its identity map and attribute instrumentation, which cost a quarter of a page of
invoices; a Core row is a tuple that answers to its column names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

Model = TypeVar("Model")
# The session's connection, kept with the transaction it belongs to: asking the session for it
# again is a trip through SQLAlchemy's greenlet bridge, about 5 % of an invoice's CPU on
# PostgreSQL for four statements. A new transaction (after a commit or a rollback) is a new
# object, so a kept connection is never used past the transaction it was taken in.
_CONNECTION = "oneoff_core_connection"


def read_only(model: type[Model], rows: Iterable[Row[Any]]) -> list[Model]:
    """Core rows of `model`'s table, typed as `model`: each has the model's columns as
    attributes, converted by their column types, and nothing more (no session, no
    relationships, not writable)."""
    del model  # the type is the caller's promise: the rows come from this model's table
    return cast(list[Model], list(rows))


async def execute_core(
    session: AsyncSession, statement: Executable, params: Any = None
) -> CursorResult[Any]:
    """A Core statement run on the session's connection, in its transaction: the session's own
    `execute` sets up ORM compile and result state first, which on PostgreSQL cost about a
    tenth of an invoice's CPU for statements that need none of it."""
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_CONNECTION)
    if (
        transaction is not None
        and kept is not None
        and kept[0] is transaction
        and transaction.is_active
    ):
        connection: AsyncConnection = kept[1]
    else:
        connection = await session.connection()
        session.info[_CONNECTION] = (session.sync_session.get_transaction(), connection)
    return await connection.execute(statement, params)
