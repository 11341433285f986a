"""PostgreSQL LISTEN/NOTIFY: wakes outbox readers in every process when an event commits.

Only a wake-up: readers still read the outbox from their own cursor, and they poll anyway,
so a notification lost with a dropped connection delays nothing past one poll interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.db import Database
from models.store.settings import Settings

CHANNEL = "oneoff_outbox"
RECONNECT_SECONDS = 1.0
logger = logging.getLogger("oneoff.wakeups")


async def announce(session: AsyncSession) -> None:
    """Inside a transaction: PostgreSQL delivers the notification only if it commits."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _listen_forever(db: Database) -> None:
    def wake(*_: Any) -> None:
        db.events_committed.notify()
        db.deliveries_due.notify()

    while True:
        try:
            connection = await asyncpg.connect(_dsn(db.url))
        except (OSError, asyncpg.PostgresError) as error:
            logger.warning("LISTEN connection failed (%s); polling until it is back", error)
            await asyncio.sleep(RECONNECT_SECONDS)
            continue
        closed = asyncio.Event()
        # Bound now: a late callback from a previous connection must not end this one's wait.
        connection.add_termination_listener(lambda *_, closed=closed: closed.set())
        try:
            await connection.add_listener(CHANNEL, wake)
            # Events committed while we were not listening are found by this wake-up.
            wake()
            await closed.wait()
            logger.warning("LISTEN connection lost; reconnecting")
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)


@asynccontextmanager
async def pg_wakeups(db: Database, settings: Settings) -> AsyncIterator[None]:
    if db.dialect != "postgresql":
        yield
        return
    task = asyncio.create_task(_listen_forever(db), name="oneoff-pg-listen")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
