"""The webhook sender: claims due deliveries, POSTs them signed, records every attempt.

A claim is a lease: `lease_until` set in a short write transaction, so that no two senders,
in this process or another, send one delivery at the same time. The lease value doubles as
the claim's token: a sender only writes the outcome while the lease is still the one it set.
A claim also moves `next_attempt_at` to the lease's end, so that a delivery whose sender died
becomes due again by itself. A retry requested during an attempt moves `next_attempt_at`
back to "now": when that attempt fails, the next one follows at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, or_, update
from sqlmodel import col, select
from standardwebhooks import Webhook

from models.store.columns import utcnow
from models.store.db import Database
from models.store.settings import Settings
from models.store.tables import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from models.store.tables.webhooks import DeliveryStatus
from models.webhooks.urls import Refused, pinned_target

logger = logging.getLogger("oneoff.webhooks")

CONCURRENCY = 8
SHUTDOWN_GRACE_SECONDS = 5.0
CONTENDED_PAUSE_SECONDS = 0.1
MAX_ERROR_LENGTH = 1000
RESPONSE_EXCERPT_BYTES = 200
USER_AGENT = "oneoff-webhooks/1"


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


def _body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def signed_headers(delivery_id: str, secret: str, body: str, now: datetime) -> dict[str, str]:
    """Standard Webhooks headers; the id is the delivery's, the same on every retry, so that
    receivers can drop duplicates."""
    timestamp = now.replace(microsecond=0)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(delivery_id, timestamp, body),
    }


class WebhookSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        concurrency: int = CONCURRENCY,
        shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
    ) -> None:
        self.db = db
        self.settings = settings
        self.concurrency = concurrency
        self.shutdown_grace = shutdown_grace
        self.lease_seconds = (
            settings.webhook_timeout_seconds + settings.webhook_lease_margin_seconds
        )
        self._jobs: dict[asyncio.Task[None], Job] = {}
        self._posts: dict[str, asyncio.Task[Outcome]] = {}
        self._changed = asyncio.Event()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        # No keep-alive: with pinned addresses, a pooled connection to one IP could carry a
        # request for another host whose certificate was never checked.
        self._client = httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=0),
        )

    @property
    def in_flight(self) -> int:
        return len(self._jobs)

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="webhook sender")

    async def stop(self) -> None:
        """Stop claiming; give in-flight sends a grace period, then interrupt them and hand
        their deliveries back, due at once, to whichever sender runs next."""
        self._stopping = True
        self._changed.set()
        if self._runner is not None:
            await self._runner
        if self._jobs:
            _, unfinished = await asyncio.wait(list(self._jobs), timeout=self.shutdown_grace)
            for task in unfinished:
                post = self._posts.get(self._jobs[task].delivery_id)
                if post is not None:
                    post.cancel()
            if unfinished:
                _, stuck = await asyncio.wait(unfinished, timeout=self.shutdown_grace)
                for task in stuck:
                    task.cancel()
                await asyncio.gather(*stuck, return_exceptions=True)
        await self._client.aclose()

    async def _run(self) -> None:
        """Claim what is due while slots are free; then sleep until something is committed
        in this process, a slot frees up, the earliest delivery falls due, or the poll
        interval passes (other processes commit too)."""
        while not self._stopping:
            token = self.db.deliveries_due.token()
            self._changed.clear()
            timeout = self.settings.event_poll_seconds
            try:
                free = self.concurrency - len(self._jobs)
                if free > 0:
                    # A read first: an idle sender must not take SQLite's write lock each poll.
                    timeout = min(timeout, await self._seconds_until_due())
                    if timeout <= 0:
                        claimed = await self._claim(free)
                        for job in claimed:
                            self._start(job)
                        if claimed:
                            continue
                        # Due but not claimable: another sender's claim has not committed yet.
                        timeout = CONTENDED_PAUSE_SECONDS
            except Exception:
                logger.exception("webhook sender: claiming deliveries failed; retrying")
                timeout = self.settings.event_poll_seconds
            if self._stopping:
                break
            await _first_of(token, self._changed, seconds=timeout)

    def _start(self, job: Job) -> None:
        task = asyncio.create_task(self._attempt(job), name=f"webhook {job.delivery_id}")
        self._jobs[task] = job
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._jobs.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            logger.error("webhook attempt crashed", exc_info=task.exception())
        self._changed.set()

    async def _claim(self, limit: int) -> list[Job]:
        async with self.db.write() as session:
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
            lease = now + timedelta(seconds=self.lease_seconds)
            await session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id).in_(ids))
                .values(lease_until=lease, next_attempt_at=lease, updated_at=now)
            )
            rows = await session.exec(
                select(
                    WebhookDelivery.id, WebhookEndpoint.url, WebhookEndpoint.secret, Event.payload
                )
                .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
                .join(Event, col(Event.id) == WebhookDelivery.event_id)
                .where(col(WebhookDelivery.id).in_(ids))
            )
            return [
                Job(row_id, lease, url, secret, dict(payload))
                for row_id, url, secret, payload in rows
            ]

    async def _seconds_until_due(self) -> float:
        # Leased deliveries are left out: one whose retry was asked for during its attempt is
        # due "now" but not claimable, and would spin this loop. A lease left by a dead
        # sender is found by the poll once it ends.
        now = utcnow()
        async with self.db.read() as session:
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

    async def _attempt(self, job: Job) -> None:
        post = asyncio.create_task(self._post(job))
        self._posts[job.delivery_id] = post
        try:
            outcome = await post
        except asyncio.CancelledError:
            if not post.cancelled():
                raise
            await self._release(job)
            return
        finally:
            self._posts.pop(job.delivery_id, None)
        await self._finish(job, outcome)

    async def _post(self, job: Job) -> Outcome:
        started_at = utcnow()
        status_code: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                status_code, error = await self._send(job)
        except Refused as refused:
            error = f"refused: {refused}"
        except (TimeoutError, httpx.TimeoutException):
            error = f"timed out after {self.settings.webhook_timeout_seconds:g} s"
        except Exception as failure:
            # Whatever went wrong is the attempt's outcome: it is recorded and retried.
            error = f"{type(failure).__name__}: {failure}".rstrip(": ")
        return Outcome(started_at, utcnow(), status_code, error and error[:MAX_ERROR_LENGTH])

    async def _send(self, job: Job) -> tuple[int, str | None]:
        url = httpx.URL(job.url)
        headers: dict[str, str] = {}
        extensions: dict[str, Any] = {}
        if not self.settings.webhook_allow_private_urls:
            url, headers, extensions = await pinned_target(url)
        body = _body(job.payload)
        headers |= signed_headers(job.delivery_id, job.secret, body, utcnow())
        request = self._client.build_request(
            "POST", url, content=body.encode(), headers=headers, extensions=extensions
        )
        response = await self._client.send(request, stream=True)
        try:
            if 200 <= response.status_code < 300:
                return response.status_code, None
            excerpt = b""
            async for chunk in response.aiter_raw():
                excerpt += chunk
                if len(excerpt) >= RESPONSE_EXCERPT_BYTES:
                    break
            text = excerpt[:RESPONSE_EXCERPT_BYTES].decode("utf-8", "replace").strip()
            error = (
                f"HTTP {response.status_code}: {text}" if text else f"HTTP {response.status_code}"
            )
            return response.status_code, error
        finally:
            await response.aclose()

    async def _finish(self, job: Job, outcome: Outcome) -> None:
        async with self.db.write() as session:
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
            delays = self.settings.webhook_retry_delays
            if outcome.succeeded:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, None
            elif retry_requested:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now
            elif delivery.attempt_count <= len(delays):
                delay = timedelta(seconds=delays[delivery.attempt_count - 1])
                delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, now + delay
            else:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            session.add(delivery)
        if outcome.succeeded:
            logger.info("webhook %s delivered (%s)", job.delivery_id, outcome.status_code)
        else:
            logger.info("webhook %s attempt failed: %s", job.delivery_id, outcome.error)

    async def _release(self, job: Job) -> None:
        with contextlib.suppress(Exception):
            async with self.db.write() as session:
                now = utcnow()
                await session.execute(
                    update(WebhookDelivery)
                    .where(
                        col(WebhookDelivery.id) == job.delivery_id,
                        col(WebhookDelivery.lease_until) == job.lease,
                    )
                    .values(lease_until=None, next_attempt_at=now, updated_at=now)
                )


async def _first_of(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@asynccontextmanager
async def webhook_sender(db: Database, settings: Settings) -> AsyncIterator[None]:
    """Runs the sender for the life of the block; on exit, finishes or releases its work."""
    sender = WebhookSender(db, settings)
    sender.start()
    try:
        yield
    finally:
        await sender.stop()
