"""The event outbox: rows written in the transaction of what they announce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.pg_wakeups import announce
from models.store.tables import Event, WebhookDelivery, WebhookEndpoint

INVOICE_ONE_OFF_CREATED = "invoice.one_off_created"


async def record_event(
    session: AsyncSession,
    *,
    organization_id: str,
    sequence: int,
    webhook_type: str,
    object_id: str,
    customer_id: str,
    invoice: dict[str, Any],
    occurred_at: datetime,
) -> Event:
    event = Event(
        organization_id=organization_id,
        sequence=sequence,
        webhook_type=webhook_type,
        object_type="invoice",
        object_id=object_id,
        customer_id=customer_id,
        payload={
            "webhook_type": webhook_type,
            "object_type": "invoice",
            "organization_id": organization_id,
            "invoice": invoice,
        },
        occurred_at=occurred_at,
    )
    session.add(event)
    await session.flush()
    assert event.id is not None
    # One durable delivery per endpoint, in the same transaction: a committed event cannot
    # miss its webhooks, and a rolled-back one cannot send any. FOR SHARE (PostgreSQL): an
    # endpoint being deleted concurrently is waited for and then skipped, not referenced.
    endpoints = await session.exec(
        select(WebhookEndpoint.id)
        .where(WebhookEndpoint.organization_id == organization_id)
        .with_for_update(read=True)
    )
    session.add_all(
        WebhookDelivery(
            organization_id=organization_id,
            endpoint_id=endpoint_id,
            event_id=event.id,
            next_attempt_at=occurred_at,
        )
        for endpoint_id in endpoints
    )
    await announce(session)
    return event
