"""Engines and transactions: one `write()` block is one transaction, committed or rolled back,
and what must happen only once it committed runs right after (`after_commit`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.group_commit import GroupCommit
from models.store.sqlite_trips import use_one_trip_cursors
from models.store.wakeup import Wakeup

# The one driver installed per engine; the bare schemes hosting providers hand out map to it.
_DRIVERS = {
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# Connections (each its own aiosqlite thread) that read at once. Reads are short and the
# threads share one GIL: past a few, more threads only fight for it (16 concurrent pages of
# invoices: about 54 ms of CPU each with SQLAlchemy's default of up to 15, about 46 ms with
# 4, over two noisy runs each).
SQLITE_READERS = 4
# Keys of Session.info, the per-session dictionary SQLAlchemy leaves to applications.
_DATABASE = "oneoff.database"
_AFTER_COMMIT = "oneoff.after_commit"
SUPPORTED_URLS = (
    "postgresql://user@host:port/database (postgres:// and postgresql+asyncpg:// work too) "
    "or sqlite:///path/to/file.sqlite3"
)


class UnsupportedDatabaseUrl(ValueError):
    """DATABASE_URL names an engine or driver this server does not ship; never quotes the URL,
    which may hold a password."""


def normalize_database_url(url: str) -> str:
    """`url` with the driver this server ships in its scheme; everything after `://` is kept."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator or not _SCHEME.fullmatch(scheme):
        raise UnsupportedDatabaseUrl(f"DATABASE_URL is not a database URL: use {SUPPORTED_URLS}")
    driver = _DRIVERS.get(scheme.lower())
    if driver is None:
        raise UnsupportedDatabaseUrl(
            f"DATABASE_URL scheme {scheme}:// is not supported: use {SUPPORTED_URLS}"
        )
    normalized = f"{driver}://{rest}"
    try:
        make_url(normalized)
    except (ArgumentError, ValueError):
        # SQLAlchemy's own message may quote parts of the URL.
        raise UnsupportedDatabaseUrl(
            f"DATABASE_URL cannot be parsed: use {SUPPORTED_URLS}"
        ) from None
    return normalized


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The absolute path of a SQLite database file; None for PostgreSQL and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database
    if not is_sqlite(url) or not database or database == ":memory:" or "uri" in parsed.query:
        return None
    return Path(database).absolute()


def describe(url: str) -> str:
    """Where `url` points, for messages: the file, or the database and server, never a password."""
    path = sqlite_file(url)
    if path is not None:
        return str(path)
    if is_sqlite(url):
        return "SQLite in memory"
    return f'database "{make_url(url).database}" on {server_address(url)}'


def server_address(url: str) -> str:
    """host:port of a PostgreSQL URL, with asyncpg's defaults filled in."""
    parsed = make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


def ensure_sqlite_directory(url: str) -> None:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _json_text(value: object) -> str:
    return orjson.dumps(value).decode()


# The events' payloads, written with every invoice and read by every listener's batch: the
# standard library's json was about 2 % of an invoice's CPU.
_JSON: dict[str, Any] = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def _sqlite_engine(url: str, *, immediate: bool, **pool: int) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, **_JSON, **pool)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        use_one_trip_cursors(dbapi_connection)
        # pysqlite's own BEGIN handling is switched off so that ours below is the only one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A writer takes the lock up front: a deferred BEGIN that upgrades later can
        # deadlock with another writer and fail instead of waiting.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The process's engines; on SQLite, the writers of this process share transactions and
    commits (models/store/group_commit.py)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)
        if self.sqlite:
            ensure_sqlite_directory(url)
            self.write_engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(
                url, immediate=False, pool_size=SQLITE_READERS, max_overflow=0
            )
        else:
            self.write_engine = create_async_engine(url, pool_size=10, max_overflow=10, **_JSON)
            self.read_engine = self.write_engine
        info = {_DATABASE: self}
        self._write_sessions = async_sessionmaker(
            self.write_engine, class_=AsyncSession, expire_on_commit=False, info=info
        )
        self._read_sessions = async_sessionmaker(
            self.read_engine, class_=AsyncSession, expire_on_commit=False, info=info
        )
        self._group_commit = GroupCommit(self._write_sessions, _run_after_commit)
        # Set after an event commits (models.events.wakeups.announce says when).
        self.events_committed = Wakeup()
        self.deliveries_due = Wakeup()

    @property
    def dialect(self) -> str:
        return self.write_engine.dialect.name

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self.sqlite:
            # One writer at a time, as SQLite has it, but one commit for all who queued.
            async with self._group_commit.write() as session:
                yield session
        else:
            async with self._transaction(self._write_sessions) as session:
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._transaction(self._read_sessions) as session:
            yield session

    @staticmethod
    @asynccontextmanager
    async def _transaction(
        factory: async_sessionmaker[AsyncSession],
    ) -> AsyncIterator[AsyncSession]:
        async with factory() as session:
            async with session.begin():
                yield session
            # Reached only once the commit succeeded: an exception, the body's or the
            # commit's, leaves the block above with the callbacks never run.
            _run_after_commit(session.info)

    async def dispose(self) -> None:
        await self._group_commit.dispose()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def _run_after_commit(info: dict[str, Any]) -> None:
    for callback in info.pop(_AFTER_COMMIT, {}):
        callback()


def database_of(session: AsyncSession) -> Database:
    """The Database whose `write()` or `read()` opened the session."""
    database = session.info.get(_DATABASE)
    if not isinstance(database, Database):
        raise TypeError("the session was not opened by Database.write() or Database.read()")
    return database


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's `write()` transaction has committed, and never if it
    rolls back. A callback registered twice runs once. It must not fail: whoever called
    `write()` would take the committed transaction for a failed one.

    Run by `write()` itself rather than by SQLAlchemy's `after_commit` session event, which
    also fires when a SAVEPOINT is released, before the transaction is durable.
    """
    callbacks: dict[Callable[[], None], None] = session.info.setdefault(_AFTER_COMMIT, {})
    callbacks[callback] = None
