"""Gapless counters: an UPDATE … RETURNING row lock held until the transaction ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Update, bindparam, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core

# Built once per shape: constructing the statement cost more than running it on SQLite.
_STATEMENTS: dict[tuple[Any, tuple[str, ...], tuple[str, ...]], Update] = {}


def _statement(table: Any, counters: tuple[str, ...], also: tuple[str, ...]) -> Update:
    key = (table, counters, also)
    statement = _STATEMENTS.get(key)
    if statement is None:
        columns = table.__table__.c
        statement = (
            update(table.__table__)
            .where(columns.id == bindparam("row_id"))
            .values({name: columns[name] + 1 for name in counters})
            .returning(*(columns[name] for name in (*counters, *also)))
        )
        _STATEMENTS[key] = statement
    return statement


async def take(
    session: AsyncSession, table: Any, row_id: str, *counters: str, also: tuple[str, ...] = ()
) -> tuple[Any, ...]:
    """Add one to each counter of the row; the new values, then the columns `also` names, as
    they are under the lock, in one round trip.

    A rolled-back transaction takes its increment with it, so numbers never skip; a
    concurrent writer waits on the row lock, so numbers never repeat.
    """
    result = await execute_core(session, _statement(table, counters, also), {"row_id": row_id})
    return tuple(result.one())


async def bump(session: AsyncSession, table: Any, row_id: str, *columns: str) -> tuple[int, ...]:
    """`take` for the counters alone."""
    row = await take(session, table, row_id, *columns)
    return tuple(int(value) for value in row)
