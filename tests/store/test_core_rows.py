"""execute_core keeps the session's connection for its transaction, and only for it."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core
from models.store.db import Database


def _kept(session: AsyncSession) -> object:
    kept = session.info.get("oneoff_core_connection")
    assert kept is not None
    return kept[1]


async def test_one_transaction_runs_on_one_connection(db: Database) -> None:
    async with db.write() as session:
        first = await execute_core(session, select(literal(1)))
        connection = _kept(session)
        second = await execute_core(session, select(literal(2)))
        assert (first.scalar(), second.scalar()) == (1, 2)
        assert _kept(session) is connection
        assert connection is await session.connection()


async def test_a_new_transaction_takes_a_new_connection(db: Database) -> None:
    async with AsyncSession(db.write_engine) as session:
        await execute_core(session, text("CREATE TABLE kept (n INTEGER)"))
        await execute_core(session, text("INSERT INTO kept VALUES (1)"))
        before = session.info["oneoff_core_connection"]
        await session.commit()
        # The kept connection went back to the pool with the commit: the next statement runs
        # in the session's new transaction, where it sees the committed row.
        count = await execute_core(session, text("SELECT count(*) FROM kept"))
        after = session.info["oneoff_core_connection"]
        assert count.scalar() == 1
        assert after[0] is not before[0]
        assert after[0] is session.sync_session.get_transaction()
        await execute_core(session, text("INSERT INTO kept VALUES (2)"))
        await session.rollback()
        count = await execute_core(session, text("SELECT count(*) FROM kept"))
        assert count.scalar() == 1
        await execute_core(session, text("DROP TABLE kept"))
        await session.commit()


async def test_after_a_failed_statement_the_rollback_clears_the_way(db: Database) -> None:
    async with AsyncSession(db.write_engine) as session:
        with pytest.raises(DBAPIError):
            await execute_core(session, text("SELECT * FROM no_such_table"))
        await session.rollback()
        assert (await execute_core(session, select(literal(3)))).scalar() == 3
