"""The event outbox: rows written in the transaction of what they announce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.event_rows import Rows, insert_event
from models.events.types import EVENT_TYPES, EventType
from models.events.wakeups import announce
from models.store.columns import utcnow
from models.store.counters import bump
from models.store.tables import Organization


async def record_event(
    session: AsyncSession,
    event_type: EventType,
    *,
    organization_id: str,
    object_id: str,
    body: dict[str, Any],
    customer_id: str | None = None,
    sequence: int | None = None,
    occurred_at: datetime | None = None,
    rows: Rows = (),
) -> RecordedEvent:
    """Write the event, one delivery per webhook endpoint, and the wake-up for after commit.

    `body` is what the event is about, as consumers receive it under `object_type`.
    `customer_id` is the customer it concerns, if any: subscriptions filter on it.
    `sequence` is None to take the organization's next event number here, or one the caller
    took from the same counter (`Organization.event_seq`, with `bump`) in this transaction;
    either way the organization's row stays locked until commit, so events commit in
    sequence order, which readers rely on. `occurred_at` defaults to now, taken after that
    lock so that it rises with the sequence. `rows` are the rows the event announces, not
    yet inserted (parents first, as `insert_together` takes them): on PostgreSQL they and
    the event are one statement.
    """
    if EVENT_TYPES.get(event_type.name) is not event_type:
        # A type outside the list would reach consumers undocumented and unfiltered.
        raise LookupError(f"{event_type.name} is not registered in models/events/types.py")
    if sequence is None:
        (sequence,) = await bump(session, Organization, organization_id, "event_seq")
    if occurred_at is None:
        occurred_at = utcnow()
    values: dict[str, Any] = {
        "organization_id": organization_id,
        "sequence": sequence,
        "webhook_type": event_type.name,
        "object_type": event_type.object_type,
        "object_id": object_id,
        "customer_id": customer_id,
        "payload": event_type.payload(organization_id, body),
        "occurred_at": occurred_at,
    }
    # The database numbers it.
    event = RecordedEvent(id=await insert_event(session, values, rows), **values)
    await announce(session)
    return event


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as `record_event` wrote it (a row of `events`)."""

    id: int
    organization_id: str
    sequence: int
    webhook_type: str
    object_type: str
    object_id: str
    customer_id: str | None
    payload: dict[str, Any]
    occurred_at: datetime
