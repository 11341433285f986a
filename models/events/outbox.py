"""The event outbox: rows written in the transaction of what they announce."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.types import EVENT_TYPES, EventType
from models.events.wakeups import announce
from models.store.columns import new_id, utcnow
from models.store.counters import bump
from models.store.inserts import insert_values, table_of_model
from models.store.tables import Event, Organization, WebhookEndpoint
from models.store.tables.webhooks import DeliveryStatus, WebhookDelivery

_INSERT_EVENT = insert(table_of_model(Event)).returning(table_of_model(Event).c.id)
_DELIVERIES = table_of_model(WebhookDelivery)
_ENDPOINTS = (
    select(table_of_model(WebhookEndpoint).c.id)
    .where(table_of_model(WebhookEndpoint).c.organization_id == bindparam("organization_id"))
    .with_for_update(read=True)
)


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
) -> RecordedEvent:
    """Write the event, one delivery per webhook endpoint, and the wake-up for after commit.

    `body` is what the event is about, as consumers receive it under `object_type`.
    `customer_id` is the customer it concerns, if any: subscriptions filter on it.
    `sequence` is None to take the organization's next event number here, or one the caller
    took from the same counter (`Organization.event_seq`, with `bump`) in this transaction;
    either way the organization's row stays locked until commit, so events commit in
    sequence order, which readers rely on. `occurred_at` defaults to now, taken after that
    lock so that it rises with the sequence.
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
    event = RecordedEvent(id=await session.scalar(_INSERT_EVENT, values), **values)
    # One durable delivery per endpoint, in the same transaction: a committed event cannot
    # miss its webhooks, and a rolled-back one cannot send any. FOR SHARE (PostgreSQL): an
    # endpoint being deleted concurrently is waited for and then skipped, not referenced.
    endpoints = (await session.execute(_ENDPOINTS, {"organization_id": organization_id})).all()
    await insert_values(
        session,
        _DELIVERIES,
        [
            {
                "id": new_id(),
                "organization_id": organization_id,
                "endpoint_id": endpoint_id,
                "event_id": event.id,
                "status": DeliveryStatus.PENDING,
                "attempt_count": 0,
                "next_attempt_at": occurred_at,
                "lease_until": None,
                "created_at": occurred_at,
                "updated_at": occurred_at,
            }
            for (endpoint_id,) in endpoints
        ],
    )
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
