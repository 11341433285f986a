"""One trip to aiosqlite's thread per statement, where SQLAlchemy's adapter takes three or four.

aiosqlite runs each call on its own thread and wakes the event loop with the answer. SQLAlchemy's
cursor makes one call to open a cursor, one to execute, one to fetch the rows and one to close
it: four thread hops per statement, each a fight for the GIL and a wake-up of the loop, which
under load cost more kernel time than SQLite's own work. This cursor does all four in one call:
the statement runs, its rows are read and its cursor is closed on aiosqlite's thread, and what
SQLAlchemy asks of a cursor afterwards (description, rowcount, lastrowid, rows) is kept here.

Within `inserts_deferred`, a plain INSERT (no RETURNING: nothing to read back) does not
travel alone: it waits for the next statement, and both go in that one's trip. An invoice's
rows (the invoice, its fees, their taxes, its taxes) thus reach the thread with its event.

It leans on two internals, pinned in constraints.txt and exercised by every SQLite test: the
class of SQLAlchemy's adapted connection (`_cursor_cls`) and aiosqlite's `Connection._execute`,
the queue onto its thread.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlmodel.ext.asyncio.session import AsyncSession

# description, rows (None when the statement returns none), rowcount, lastrowid
_Outcome = tuple[Any, list[Any] | None, int, int | None]
# A statement waiting for the next one's trip: operation, parameters, executemany.
_Waiting = tuple[Any, Any, bool]
# Attribute of aiosqlite's connection (SQLAlchemy's adapter has no room for one): the list of
# waiting statements while inserts are deferred, else absent or None.
_DEFERRED = "_oneoff_deferred"


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_after(
    connection: sqlite3.Connection,
    waiting: list[_Waiting],
    operation: str,
    parameters: Any,
    many: bool,
) -> _Outcome:
    for statement in waiting:
        _run(connection, *statement)
    return _run(connection, operation, parameters, many)


@lru_cache(maxsize=256)
def _can_wait(operation: str) -> bool:
    # A bare INSERT only: its rowcount is the number of rows given. Not INSERT OR …, nor ON
    # CONFLICT, whose rowcount a caller may read; nor RETURNING, whose rows it will.
    words = " ".join(operation.split()).upper()
    return (
        words.startswith("INSERT INTO ") and "RETURNING" not in words and "ON CONFLICT" not in words
    )


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # No aiosqlite cursor is opened: each statement opens and closes its own, on the thread.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return  # its rows are already read: nothing is left open on the thread

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._trip(operation, seq_of_parameters, many=True)

    async def _trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection = self._connection
        waiting: list[_Waiting] | None = getattr(connection, _DEFERRED, None)
        if waiting is not None and isinstance(operation, str) and _can_wait(operation):
            waiting.append((operation, parameters, many))
            self._description, self._lastrowid, self._rows = None, None, collections.deque()
            self._rowcount = len(parameters) if many else 1
            return
        async with self._adapt_connection._execute_mutex:
            if waiting:
                # Taken now, run or not: an error in one fails this statement, and the
                # transaction (or savepoint) they all belong to is rolled back by its owner.
                before, waiting[:] = list(waiting), []
                outcome: _Outcome = await connection._execute(
                    _run_after, connection._conn, before, operation, parameters, many
                )
            else:
                outcome = await connection._execute(
                    _run, connection._conn, operation, parameters, many
                )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows or ())


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


def use_one_trip_cursors(dbapi_connection: Any) -> None:
    """Make a connection SQLAlchemy just adapted from aiosqlite hand out one-trip cursors."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection


@asynccontextmanager
async def inserts_deferred(session: AsyncSession) -> AsyncIterator[None]:
    """On SQLite, plain INSERTs of this block ride in the trip of the statement after them (an
    INSERT … RETURNING, a SELECT): one trip to the thread, not one each. Their errors are that
    statement's. Use it only for rows nobody reads in between and whose lastrowid nobody
    asks for. A block left by an exception drops what still waits: its write must then roll
    back (its savepoint or transaction), as every write here does. Nested, the outer block
    sends it all. Elsewhere than SQLite, it changes nothing."""
    connection = await session.connection()
    adapted = (await connection.get_raw_connection()).dbapi_connection
    if not isinstance(adapted, OneTripConnection):
        yield
        return
    aiosqlite_connection = adapted._connection
    if getattr(aiosqlite_connection, _DEFERRED, None) is not None:
        yield  # inside another block: it owns the waiting statements
        return
    setattr(aiosqlite_connection, _DEFERRED, [])
    try:
        yield
        if getattr(aiosqlite_connection, _DEFERRED):
            # Still waiting at the end of the block: sent with a statement that reads nothing.
            await connection.execute(text("SELECT 1"))
    finally:
        setattr(aiosqlite_connection, _DEFERRED, None)
