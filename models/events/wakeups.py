"""Wake-ups after a commit: `announce` is the one way a transaction says that readers of
the outbox or webhook senders have something new, in this process and, through PostgreSQL
LISTEN/NOTIFY, in every other.

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

from models.store.db import Database, after_commit, database_of
from models.store.settings import Settings

CHANNEL = "oneoff_outbox"
# The notification's payload: what changed. PostgreSQL folds identical notifications of one
# transaction into one.
EVENTS = "events"
DELIVERIES = "deliveries"
RECONNECT_SECONDS = 1.0
# Key of Session.info: what this transaction has announced already.
_ANNOUNCED = "oneoff.announced"
logger = logging.getLogger("oneoff.wakeups")


async def announce(session: AsyncSession, *, events: bool = True) -> None:
    """Inside a write transaction: once it commits, wake the webhook senders and, with
    `events`, the outbox readers. Nobody is woken before the commit, when a reader would not
    see the rows yet, nor after a rollback; PostgreSQL holds NOTIFY back until commit the
    same way. Call it as early as you like: nothing is sent before the commit, and a writer
    that announces before it takes a lock holds the lock one round trip less."""
    db = database_of(session)
    what = EVENTS if events else DELIVERIES
    if events:
        after_commit(session, db.events_committed.notify)
    after_commit(session, db.deliveries_due.notify)
    # Once per transaction and kind: PostgreSQL would fold a second one into the first, but
    # only after a round trip, which a writer holding a lock can be spared.
    sent: set[str] = session.info.setdefault(_ANNOUNCED, set())
    if db.dialect == "postgresql" and what not in sent:
        await session.execute(
            text("SELECT pg_notify(:channel, :what)"), {"channel": CHANNEL, "what": what}
        )
    sent.add(what)


def notified(session: AsyncSession, what: str = EVENTS) -> None:
    """A statement of this transaction called pg_notify(CHANNEL, what) itself, as the outbox's
    insert does on PostgreSQL: `announce` need not send it again."""
    session.info.setdefault(_ANNOUNCED, set()).add(what)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _listen_forever(db: Database) -> None:
    def wake(_connection: Any = None, _pid: int = 0, _channel: str = "", what: str = "") -> None:
        if what != DELIVERIES:
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
