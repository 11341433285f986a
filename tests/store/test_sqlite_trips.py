"""The one-trip cursor (models/store/sqlite_trips.py): each statement is one call on
aiosqlite's thread, and SQLAlchemy still gets every answer a cursor owes it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from models.store.db import Database
from models.store.sqlite_trips import OneTripCursor, inserts_deferred

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'trips.sqlite3'}")
    async with database.write() as session:
        await session.execute(
            text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    yield database
    await database.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to an aiosqlite thread."""
    sent: list[str] = []
    real = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return sent


async def test_each_statement_is_one_trip_to_the_thread(db: Database, trips: list[str]) -> None:
    async with db.read() as session:
        await session.execute(text("SELECT 1"))  # BEGIN and the pool's own checks first
        trips.clear()
        rows = (await session.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
        sent = list(trips)
        raw = await (await session.connection()).get_raw_connection()
        assert raw.dbapi_connection is not None
        cursor: Any = raw.dbapi_connection.cursor()

    assert [tuple(r) for r in rows] == [(1,), (2,)]
    assert sent == ["_run"]
    assert isinstance(cursor, OneTripCursor)


async def test_rows_rowcount_lastrowid_and_executemany(db: Database) -> None:
    async with db.write() as session:
        inserted = await session.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        many = await session.execute(
            text("INSERT INTO notes (body) VALUES (:b)"), [{"b": "b"}, {"b": "c"}]
        )
        updated = await session.execute(text("UPDATE notes SET body = body || '!'"))
        returned = (
            await session.execute(
                text("UPDATE notes SET body = 'z' WHERE id = 1 RETURNING id, body")
            )
        ).all()
        none = (await session.execute(text("SELECT * FROM notes WHERE id = 99"))).all()

    assert inserted.lastrowid == 1  # type: ignore[attr-defined]
    assert many.rowcount == 2  # type: ignore[attr-defined]
    assert updated.rowcount == 3  # type: ignore[attr-defined]
    assert [tuple(r) for r in returned] == [(1, "z")]
    assert none == []


async def test_a_failing_statement_raises_sqlalchemys_error_and_writes_nothing(
    db: Database,
) -> None:
    async def twice() -> None:
        async with db.write() as session:
            await session.execute(text("INSERT INTO notes (body) VALUES ('same')"))
            await session.execute(text("INSERT INTO notes (body) VALUES ('same')"))

    with pytest.raises(IntegrityError):
        await twice()

    async with db.read() as session:
        count = (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    assert count == 0


async def _bodies(db: Database) -> list[str]:
    async with db.read() as session:
        return list((await session.execute(text("SELECT body FROM notes ORDER BY id"))).scalars())


async def test_deferred_inserts_ride_in_the_next_statements_trip(
    db: Database, trips: list[str]
) -> None:
    async with db.write() as session:
        await session.execute(text("SELECT 1"))
        trips.clear()
        async with inserts_deferred(session):
            await session.execute(text("INSERT INTO notes (body) VALUES ('a')"))
            await session.execute(
                text("INSERT INTO notes (body) VALUES (:b)"), [{"b": "b"}, {"b": "c"}]
            )
            assert trips == []  # nothing sent yet
            last = (
                await session.execute(text("INSERT INTO notes (body) VALUES ('d') RETURNING id"))
            ).scalar_one()
        sent = list(trips)
        # Past the block, an INSERT travels alone again.
        await session.execute(text("INSERT INTO notes (body) VALUES ('e')"))
        alone = trips[len(sent) :]

    assert sent == ["_run_after"]
    assert alone == ["_run"]
    assert last == 4
    assert await _bodies(db) == ["a", "b", "c", "d", "e"]


async def test_inserts_still_waiting_at_the_end_of_the_block_are_sent(db: Database) -> None:
    async with db.write() as session:
        async with inserts_deferred(session):
            await session.execute(text("INSERT INTO notes (body) VALUES ('only')"))
        # Read in the same transaction: it is there before the commit.
        seen = (await session.execute(text("SELECT body FROM notes"))).scalars().all()
    assert seen == ["only"]
    assert await _bodies(db) == ["only"]


async def test_a_deferred_insert_that_fails_fails_the_statement_it_rides_with(
    db: Database,
) -> None:
    async with db.write() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('taken')"))

    async def clash() -> None:
        async with db.write() as session, inserts_deferred(session):
            await session.execute(text("INSERT INTO notes (body) VALUES ('new')"))
            await session.execute(text("INSERT INTO notes (body) VALUES ('taken')"))
            await session.execute(text("SELECT count(*) FROM notes"))

    with pytest.raises(IntegrityError):  # SQLAlchemy's, as for any statement
        await clash()
    assert await _bodies(db) == ["taken"]  # and nothing of the block was kept


async def test_a_nested_block_leaves_the_waiting_inserts_to_the_outer_one(db: Database) -> None:
    async with db.write() as session, inserts_deferred(session):
        await session.execute(text("INSERT INTO notes (body) VALUES ('outer')"))
        async with inserts_deferred(session):
            await session.execute(text("INSERT INTO notes (body) VALUES ('inner')"))
    assert await _bodies(db) == ["outer", "inner"]


async def test_only_a_bare_insert_waits(db: Database, trips: list[str]) -> None:
    async with db.write() as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        trips.clear()
        async with inserts_deferred(session):
            ignored = await session.execute(
                text("INSERT INTO notes (body) VALUES ('a') ON CONFLICT DO NOTHING")
            )
            replaced = await session.execute(
                text("INSERT OR IGNORE INTO notes (body) VALUES ('a')")
            )
        sent = list(trips)

    # Each went alone, and each told its true rowcount: nothing was inserted.
    assert sent == ["_run", "_run"]
    assert ignored.rowcount == 0  # type: ignore[attr-defined]
    assert replaced.rowcount == 0  # type: ignore[attr-defined]
