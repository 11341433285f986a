"""Group commit on SQLite: writes queued while one runs share its transaction and its one
commit, each in a savepoint, so a failing one never sinks the others and nothing returns
before it is committed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text

from models.store.db import Database, after_commit

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def sqlite_db(tmp_path: Any) -> Any:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'group.sqlite3'}")
    async with db.write() as session:
        await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield db
    await db.dispose()


def _count_commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.write_engine.sync_engine, "commit", lambda _c: commits.append(1))
    return commits


async def _note(db: Database, number: int, *, fail: bool = False, hold: float = 0) -> int:
    async with db.write() as session:
        await session.execute(text("INSERT INTO notes VALUES (:n, 'x')"), {"n": number})
        await asyncio.sleep(hold)  # others queue meanwhile
        if fail:
            raise ValueError(f"note {number} refused")
    return number


async def _stored(db: Database) -> list[int]:
    async with db.read() as session:
        return [row[0] for row in await session.execute(text("SELECT id FROM notes ORDER BY id"))]


async def test_writes_queued_together_share_commits(sqlite_db: Database) -> None:
    commits = _count_commits(sqlite_db)
    done = await asyncio.gather(*(_note(sqlite_db, n, hold=0.01) for n in range(40)))
    assert done == list(range(40))
    assert await _stored(sqlite_db) == list(range(40))
    # Forty writes, far fewer commits: they queued while the first ran.
    assert 1 <= len(commits) < 20, len(commits)


async def test_a_failing_write_rolls_back_alone(sqlite_db: Database) -> None:
    results = await asyncio.gather(
        *(_note(sqlite_db, n, fail=n % 3 == 0, hold=0.005) for n in range(12)),
        return_exceptions=True,
    )
    failed = [n for n, r in zip(range(12), results, strict=True) if isinstance(r, ValueError)]
    assert failed == [0, 3, 6, 9]
    assert await _stored(sqlite_db) == [n for n in range(12) if n % 3]


async def test_a_write_that_breaks_a_constraint_fails_alone(sqlite_db: Database) -> None:
    await _note(sqlite_db, 1)
    results = await asyncio.gather(
        _note(sqlite_db, 2, hold=0.01),
        _note(sqlite_db, 1),
        _note(sqlite_db, 3),
        return_exceptions=True,
    )
    assert results[0] == 2
    assert isinstance(results[1], Exception)  # the duplicate primary key
    assert results[2] == 3
    assert await _stored(sqlite_db) == [1, 2, 3]


async def test_after_commit_runs_for_committed_writes_only(sqlite_db: Database) -> None:
    ran: list[int] = []

    async def write(number: int, fail: bool) -> None:
        async with sqlite_db.write() as session:
            await session.execute(text("INSERT INTO notes VALUES (:n, 'x')"), {"n": number})
            after_commit(session, lambda: ran.append(number))
            await asyncio.sleep(0.005)
            if fail:
                raise ValueError

    await asyncio.gather(*(write(n, n == 2) for n in range(5)), return_exceptions=True)
    assert sorted(ran) == [0, 1, 3, 4]


async def test_nothing_returns_before_its_commit(sqlite_db: Database) -> None:
    # Seen from another connection the moment a write returns, its row is there.
    async def write_then_look(number: int) -> bool:
        await _note(sqlite_db, number, hold=0.002)
        return number in await _stored(sqlite_db)

    assert all(await asyncio.gather(*(write_then_look(n) for n in range(20))))


async def test_a_writer_cancelled_while_queued_does_not_stall_the_others(
    sqlite_db: Database,
) -> None:
    first = asyncio.create_task(_note(sqlite_db, 1, hold=0.05))
    await asyncio.sleep(0.01)
    queued = asyncio.create_task(_note(sqlite_db, 2))
    behind = asyncio.create_task(_note(sqlite_db, 3))
    await asyncio.sleep(0.005)
    queued.cancel()
    assert list(await asyncio.wait_for(asyncio.gather(first, behind), 10)) == [1, 3]
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert await _stored(sqlite_db) == [1, 3]


async def test_a_writer_cancelled_in_its_body_rolls_back_alone(sqlite_db: Database) -> None:
    first = asyncio.create_task(_note(sqlite_db, 1, hold=0.02))
    await asyncio.sleep(0.005)
    slow = asyncio.create_task(_note(sqlite_db, 2, hold=5))
    after = asyncio.create_task(_note(sqlite_db, 3))
    await asyncio.sleep(0.1)
    slow.cancel()
    assert list(await asyncio.wait_for(asyncio.gather(first, after), 10)) == [1, 3]
    assert await _stored(sqlite_db) == [1, 3]


async def test_a_failing_after_commit_callback_loses_nothing(sqlite_db: Database) -> None:
    async def write(number: int) -> int:
        async with sqlite_db.write() as session:
            await session.execute(text("INSERT INTO notes VALUES (:n, 'x')"), {"n": number})

            def broken() -> None:
                raise RuntimeError("a callback that should not fail")

            after_commit(session, broken)
            await asyncio.sleep(0.005)
        return number

    assert list(await asyncio.wait_for(asyncio.gather(*(write(n) for n in range(6))), 10)) == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    assert await _stored(sqlite_db) == list(range(6))
    assert await asyncio.wait_for(_note(sqlite_db, 9), 10) == 9  # the writer still writes


async def test_writes_waiting_when_the_database_closes_are_told(tmp_path: Any) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'closing.sqlite3'}")
    async with db.write() as session:
        await session.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    running = asyncio.create_task(_note(db, 1, hold=0.2))
    await asyncio.sleep(0.05)
    waiting = [asyncio.create_task(_note(db, n)) for n in (2, 3)]
    await asyncio.sleep(0.01)
    await db.dispose()
    results = await asyncio.wait_for(asyncio.gather(running, *waiting, return_exceptions=True), 10)
    assert all(isinstance(result, BaseException) for result in results), results
