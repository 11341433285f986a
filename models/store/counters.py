"""Gapless counters: an UPDATE … RETURNING row lock held until the transaction ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession


async def bump(session: AsyncSession, table: Any, row_id: str, *columns: str) -> tuple[int, ...]:
    """Add one to each column of the row and return the new values.

    A rolled-back transaction takes its increment with it, so numbers never skip; a
    concurrent writer waits on the row lock, so numbers never repeat.
    """
    statement = (
        update(table)
        .where(table.id == row_id)
        .values({name: getattr(table, name) + 1 for name in columns})
        .returning(*(getattr(table, name) for name in columns))
    )
    row = (await session.execute(statement)).one()
    return tuple(int(value) for value in row)
