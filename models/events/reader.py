"""Reading the outbox in order: what a subscription replays and then follows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar, overload

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.db import Database
from models.store.pagination import PaginationError
from models.store.tables import Event

PAGE = 100
_CURSOR_PREFIX = "event:"

T = TypeVar("T")
# Batch loader of the objects a page of events is about, by object id: one query a page.
Load = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, T]]]


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
    types: Collection[str] | None = None,
    customer_id: str | None = None,
    limit: int = PAGE,
) -> list[Event]:
    """The organization's events after `sequence`, in order; of those types (names) and that
    customer only, when given."""
    query = (
        select(Event)
        .where(Event.organization_id == organization_id, Event.sequence > sequence)
        .order_by(col(Event.sequence))
        .limit(limit)
    )
    if types is not None:
        query = query.where(col(Event.webhook_type).in_(types))
    if customer_id is not None:
        query = query.where(Event.customer_id == customer_id)
    return list(await session.exec(query))


@overload
def follow(
    db: Database,
    organization_id: str,
    *,
    after: int | None,
    poll_seconds: float,
    types: Collection[str] | None = None,
    customer_id: str | None = None,
) -> AsyncGenerator[Event, None]: ...


@overload
def follow(
    db: Database,
    organization_id: str,
    *,
    after: int | None,
    poll_seconds: float,
    types: Collection[str] | None = None,
    customer_id: str | None = None,
    load: Load[T],
) -> AsyncGenerator[tuple[Event, T], None]: ...


async def follow(
    db: Database,
    organization_id: str,
    *,
    after: int | None,
    poll_seconds: float,
    types: Collection[str] | None = None,
    customer_id: str | None = None,
    load: Load[Any] | None = None,
) -> AsyncGenerator[Event | tuple[Event, Any], None]:
    """Events after the cursor in sequence order, then new ones as they commit, forever;
    with `load`, each with the object it is about, read in the page's transaction.

    Pull-based: the next page is read only when the consumer asks for more, so a slow
    listener holds at most one page in memory and paces nobody else. Sequences are
    assigned under the organization's row lock and committed in that order, so reading
    `sequence > last` can neither skip an event nor return one twice. An event whose object
    `load` does not find is passed over, as if it were of another type.
    """
    if after is None:
        async with db.read() as session:
            after = await latest_sequence(session, organization_id)
    last = after
    while True:
        token = db.events_committed.token()
        async with db.read() as session:
            events = await events_after(
                session, organization_id, last, types=types, customer_id=customer_id
            )
            objects: Mapping[str, Any] = {}
            if load is not None and events:
                objects = await load(session, list(dict.fromkeys(e.object_id for e in events)))
        for event in events:
            last = event.sequence
            if load is None:
                yield event
            elif event.object_id in objects:
                yield event, objects[event.object_id]
        if len(events) < PAGE:
            await db.events_committed.wait(token, poll_seconds)
