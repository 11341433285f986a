"""Reading the outbox in order: what a subscription replays and then follows.

A listener reads from its own cursor until it has caught up, then joins the process's hub
(models.events.hub), which reads each organization's new events once for all its listeners.
Whenever the listener falls behind, by its buffer filling up, it leaves the hub and reads on
its own again: in both modes it takes `sequence > seen`, which can neither skip an event nor
return one twice, because sequences are gapless and committed in order.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncGenerator, Collection
from contextlib import aclosing
from typing import Any, TypeVar, overload

from models.events.hub import hub_of
from models.events.listener import Batch, Delivery, Listener
from models.events.pages import PAGE, Load, events_after, latest_sequence, load_objects
from models.store.db import Database
from models.store.pagination import PaginationError
from models.store.tables import Event

__all__ = [
    "PAGE",
    "Delivery",
    "Load",
    "decode_event_cursor",
    "encode_event_cursor",
    "events_after",
    "follow",
    "latest_sequence",
    "listen",
]

_CURSOR_PREFIX = "event:"

T = TypeVar("T")


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


async def listen(
    db: Database,
    organization_id: str,
    *,
    after: int | None,
    poll_seconds: float,
    types: Collection[str] | None = None,
    customer_id: str | None = None,
    load: Load[Any] | None = None,
) -> AsyncGenerator[Delivery[Any], None]:
    """What `follow` yields, each with the batch it came in (see Batch). `after` must be a
    sequence that exists (graph/subscriptions.py refuses any other): a cursor past the newest
    event would hold the organization's channel ahead of every event."""
    if after is None:
        async with db.read() as session:
            after = await latest_sequence(session, organization_id)
    listener = Listener(
        organization_id,
        after,
        poll_seconds=poll_seconds,
        types=types,
        customer_id=customer_id,
        load=load,
    )
    hub = hub_of(db)
    try:
        while True:
            if listener.buffer:
                yield listener.buffer.popleft()
            elif listener.attached:
                listener.ready.clear()
                await listener.ready.wait()
            else:
                token = db.events_committed.token()
                page, caught_up = await _own_page(db, listener)
                for delivery in page:
                    yield delivery
                if caught_up and not hub.join(listener, token) and hub.closed:
                    await db.events_committed.wait(token, poll_seconds)
    finally:
        hub.leave(listener)


async def _own_page(db: Database, listener: Listener) -> tuple[list[Delivery[Any]], bool]:
    """The listener's next page from its own cursor, and whether it has caught up."""
    filtered = listener.types is not None or listener.customer_id is not None
    async with db.read() as session:
        # Filtered, a short page says nothing of the events of other types past its last:
        # the newest sequence, read first, does (read after, it could pass over a match).
        ceiling = await latest_sequence(session, listener.organization_id) if filtered else None
        events = await events_after(
            session,
            listener.organization_id,
            listener.seen,
            types=listener.types,
            customer_id=listener.customer_id,
            through=ceiling,
        )
        objects = await load_objects(session, listener.load, events)
    batch = Batch(shared=False)
    page = [
        Delivery(event, objects.get(event.object_id), batch)
        for event in events
        if listener.load is None or event.object_id in objects
    ]
    caught_up = len(events) < PAGE
    if events:
        listener.seen = events[-1].sequence
    if caught_up and ceiling is not None:
        listener.seen = max(listener.seen, ceiling)
    return page, caught_up


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

    Pull-based while it catches up: the next page is read only when the consumer asks for
    more. Caught up, it is served by the hub and holds at most BUFFER events it has not taken
    yet; past that it reads on its own again, so a slow listener paces nobody else. An event
    whose object `load` does not find is passed over, as if it were of another type.
    """
    deliveries = listen(
        db,
        organization_id,
        after=after,
        poll_seconds=poll_seconds,
        types=types,
        customer_id=customer_id,
        load=load,
    )
    async with aclosing(deliveries):
        async for delivery in deliveries:
            yield delivery.event if load is None else (delivery.event, delivery.object)
