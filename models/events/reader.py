"""Reading the outbox in order: what a subscription replays and then follows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncGenerator

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.db import Database
from models.store.pagination import PaginationError
from models.store.tables import Event, Invoice

PAGE = 100
_CURSOR_PREFIX = "event:"


def encode_event_cursor(sequence: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{sequence}".encode()).decode()


def decode_event_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_CURSOR_PREFIX):
            sequence = int(text[len(_CURSOR_PREFIX) :])
            if sequence >= 0:
                return sequence
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise PaginationError(f"{cursor!r} is not an event cursor")


async def latest_sequence(session: AsyncSession, organization_id: str) -> int:
    found = await session.scalar(
        select(func.max(Event.sequence)).where(Event.organization_id == organization_id)
    )
    return int(found or 0)


async def events_after(
    session: AsyncSession,
    organization_id: str,
    sequence: int,
    *,
    customer_id: str | None = None,
    limit: int = PAGE,
) -> list[tuple[Event, Invoice]]:
    query = (
        select(Event, Invoice)
        .join(Invoice, col(Invoice.id) == Event.object_id)
        .where(Event.organization_id == organization_id, Event.sequence > sequence)
        .order_by(col(Event.sequence))
        .limit(limit)
    )
    if customer_id is not None:
        query = query.where(Event.customer_id == customer_id)
    return [(event, invoice) for event, invoice in await session.exec(query)]


async def follow(
    db: Database,
    organization_id: str,
    *,
    after: int | None,
    customer_id: str | None,
    poll_seconds: float,
) -> AsyncGenerator[tuple[Event, Invoice], None]:
    """Events after the cursor in sequence order, then new ones as they commit, forever.

    Pull-based: the next page is read only when the consumer asks for more, so a slow
    listener holds at most one page in memory and paces nobody else. Sequences are
    assigned under the organization's row lock and committed in that order, so reading
    `sequence > last` can neither skip an event nor return one twice.
    """
    if after is None:
        async with db.read() as session:
            after = await latest_sequence(session, organization_id)
    last = after
    while True:
        token = db.events_committed.token()
        async with db.read() as session:
            rows = await events_after(session, organization_id, last, customer_id=customer_id)
        for event, invoice in rows:
            last = event.sequence
            yield event, invoice
        if len(rows) < PAGE:
            await db.events_committed.wait(token, poll_seconds)
