"""Leases on webhook deliveries: claiming due ones, recording an attempt's outcome, handing
back an unfinished one.

A claim is a lease: `lease_until` set in a short write transaction, so that no two senders,
in this process or another, send one delivery at the same time. The lease value doubles as
the claim's token: a sender only writes the outcome while the lease is still the one it set.
A claim also moves `next_attempt_at` to the lease's end, so that a delivery whose sender died
becomes due again by itself. A retry requested during an attempt moves `next_attempt_at`
back to "now": when that attempt fails, the next one follows at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import col, select

from models.store.columns import utcnow
from models.store.db import Database
from models.store.tables import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.store.tables.webhooks import DeliveryStatus

logger = logging.getLogger("oneoff.webhooks")


@dataclass(frozen=True)
class Job:
    delivery_id: str
    lease: datetime
    url: str
    secret: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    started_at: datetime
    finished_at: datetime
    status_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def claim(db: Database, limit: int, lease_seconds: float) -> list[Job]:
    """Up to `limit` due deliveries, leased to the caller for `lease_seconds`."""
    async with db.write() as session:
        now = utcnow()
        ids = list(
            await session.exec(
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    col(WebhookDelivery.next_attempt_at) <= now,
                    or_(
                        col(WebhookDelivery.lease_until).is_(None),
                        col(WebhookDelivery.lease_until) <= now,
                    ),
                )
                .order_by(col(WebhookDelivery.next_attempt_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        lease = now + timedelta(seconds=lease_seconds)
        await session.execute(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(ids))
            .values(lease_until=lease, next_attempt_at=lease, updated_at=now)
        )
        rows = await session.exec(
            select(WebhookDelivery.id, WebhookEndpoint.url, WebhookEndpoint.secret, Event.payload)
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .join(Event, col(Event.id) == WebhookDelivery.event_id)
            .where(col(WebhookDelivery.id).in_(ids))
        )
        return [
            Job(row_id, lease, url, secret, dict(payload)) for row_id, url, secret, payload in rows
        ]


async def seconds_until_due(db: Database) -> float:
    # Leased deliveries are left out: one whose retry was asked for during its attempt is
    # due "now" but not claimable, and would spin this loop. A lease left by a dead
    # sender is found by the poll once it ends.
    now = utcnow()
    async with db.read() as session:
        earliest = await session.scalar(
            select(func.min(WebhookDelivery.next_attempt_at)).where(
                WebhookDelivery.status == DeliveryStatus.PENDING,
                or_(
                    col(WebhookDelivery.lease_until).is_(None),
                    col(WebhookDelivery.lease_until) <= now,
                ),
            )
        )
    if earliest is None:
        return float("inf")
    return max(0.0, (earliest - now).total_seconds())


async def finish(db: Database, job: Job, outcome: Outcome, retry_delays: Sequence[float]) -> None:
    """Record the attempt and schedule what follows, unless another sender took the lease."""
    async with db.write() as session:
        delivery = (
            await session.exec(
                select(WebhookDelivery)
                .where(WebhookDelivery.id == job.delivery_id)
                .with_for_update()
            )
        ).first()
        if delivery is None:
            return  # its endpoint was deleted meanwhile, attempts and all
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                started_at=outcome.started_at,
                finished_at=outcome.finished_at,
                status_code=outcome.status_code,
                error=outcome.error,
            )
        )
        delivery.attempt_count += 1
        delivery.updated_at = now = utcnow()
        if delivery.lease_until != job.lease:
            # Another sender holds the delivery now (ours outlived its lease): the
            # attempt is history, the schedule is theirs.
            session.add(delivery)
            return
        retry_requested = delivery.next_attempt_at != job.lease
        delivery.lease_until = None
        if outcome.succeeded:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        elif retry_requested:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
        elif delivery.attempt_count <= len(retry_delays):
            delay = timedelta(seconds=retry_delays[delivery.attempt_count - 1])
            delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + delay
        else:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        session.add(delivery)
    if outcome.succeeded:
        logger.info("webhook %s delivered (%s)", job.delivery_id, outcome.status_code)
    else:
        logger.info("webhook %s attempt failed: %s", job.delivery_id, outcome.error)


async def release(db: Database, job: Job) -> None:
    """Hand an unfinished claim back, due at once."""
    with contextlib.suppress(Exception):
        async with db.write() as session:
            now = utcnow()
            await session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == job.delivery_id,
                    col(WebhookDelivery.lease_until) == job.lease,
                )
                .values(lease_until=None, next_attempt_at=now, updated_at=now)
            )
