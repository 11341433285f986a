"""Inserting rows with Core, one statement per batch: for rows written once and not read
back in the transaction, the ORM's unit of work costs more than the database's own work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table, insert
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

_INSERTS: dict[Table, Insert] = {}


def _insert(table: Table) -> Insert:
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def table_of_model(model: type[SQLModel]) -> Table:
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


def table_of(row: SQLModel) -> Table:
    return table_of_model(type(row))


def values_of(row: SQLModel) -> dict[str, Any]:
    """Every column's value, as the model holds it: defaults included, since the model set
    them when it was made."""
    table = table_of(row)
    return {column.key: getattr(row, column.key) for column in table.columns}


async def insert_rows(session: AsyncSession, rows: Sequence[SQLModel]) -> None:
    """Insert rows of one table, all in one statement (executemany for several)."""
    if rows:
        await insert_values(session, table_of(rows[0]), [values_of(row) for row in rows])


async def insert_values(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert rows given as column values (every column), all in one statement."""
    if rows:
        await session.execute(_insert(table), rows[0] if len(rows) == 1 else list(rows))
