"""Webhook deliveries: one durable row per event and endpoint, listed, read and retried
through the API (the sender that works through them is sender.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.wakeups import announce
from models.inputs.errors import ErrorCode, reject
from models.store.columns import utcnow
from models.store.db import Database
from models.store.pagination import Page, paginate
from models.store.tables import Event, WebhookAttempt, WebhookDelivery
from models.store.tables.webhooks import DeliveryStatus


async def list_deliveries(
    session: AsyncSession,
    organization_id: str,
    *,
    first: int | None,
    after: str | None,
    status: str | None = None,
    endpoint_id: str | None = None,
) -> Page[WebhookDelivery]:
    where = [col(WebhookDelivery.organization_id) == organization_id]
    if status is not None:
        where.append(col(WebhookDelivery.status) == status)
    if endpoint_id is not None:
        where.append(col(WebhookDelivery.endpoint_id) == endpoint_id)
    return await paginate(session, WebhookDelivery, where, first=first, after=after)


async def find_delivery(
    session: AsyncSession, organization_id: str, delivery_id: str
) -> WebhookDelivery | None:
    query = select(WebhookDelivery).where(
        WebhookDelivery.organization_id == organization_id, WebhookDelivery.id == delivery_id
    )
    return (await session.exec(query)).first()


async def retry_delivery(db: Database, organization_id: str, delivery_id: str) -> WebhookDelivery:
    """Due now, whatever its status. A lease held by a sender is left alone: the attempt in
    flight finishes first, and if it fails, the sender tries again at once (see
    models/webhooks/sender.py); if it succeeds, that success answers the retry."""
    async with db.write() as session:
        delivery = await find_delivery(session, organization_id, delivery_id)
        if delivery is None:
            raise reject(
                ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, ("id",), "no webhook delivery with this id"
            )
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = delivery.updated_at = utcnow()
        session.add(delivery)
        await announce(session, events=False)
    return delivery


def is_sending(delivery: WebhookDelivery) -> bool:
    return delivery.lease_until is not None and delivery.lease_until > utcnow()


async def attempts_of_deliveries(
    session: AsyncSession, delivery_ids: Sequence[str]
) -> dict[str, list[WebhookAttempt]]:
    rows = await session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
        .order_by(col(WebhookAttempt.started_at), col(WebhookAttempt.id))
    )
    found: dict[str, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    for attempt in rows:
        found[attempt.delivery_id].append(attempt)
    return found


@dataclass(frozen=True)
class EventSummary:
    """What a delivery shows of its event; the payload itself stays in the database."""

    webhook_type: str
    object_type: str
    object_id: str
    sequence: int


async def events_by_id(session: AsyncSession, event_ids: Sequence[int]) -> dict[int, EventSummary]:
    # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
    rows = await session.execute(
        sqlalchemy.select(
            col(Event.id),
            col(Event.webhook_type),
            col(Event.object_type),
            col(Event.object_id),
            col(Event.sequence),
        ).where(col(Event.id).in_(event_ids))
    )
    return {
        event_id: EventSummary(webhook_type, object_type, object_id, sequence)
        for event_id, webhook_type, object_type, object_id, sequence in rows
        if event_id is not None
    }
