"""The webhook sender: claims due deliveries (leases.py), POSTs them signed, and records
every attempt; at most `concurrency` at once, handed back unfinished on shutdown."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from standardwebhooks import Webhook

from models.store.columns import utcnow
from models.store.db import Database
from models.store.settings import Settings
from models.webhooks import leases
from models.webhooks.leases import Job, Outcome
from models.webhooks.urls import Refused, pinned_target

logger = logging.getLogger("oneoff.webhooks")

CONCURRENCY = 8
SHUTDOWN_GRACE_SECONDS = 5.0
CONTENDED_PAUSE_SECONDS = 0.1
MAX_ERROR_LENGTH = 1000
RESPONSE_EXCERPT_BYTES = 200
USER_AGENT = "oneoff-webhooks/1"


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


class BodyNotMade(Exception):
    """The body could not be made (its document links not read); nothing was sent."""


# What the server adds to a body as it is sent (the invoice's document links): given by the
# server, which knows the documents this layer does not.
Enrich = Callable[[Database, Settings, dict[str, Any]], Awaitable[dict[str, Any]]]


class WebhookSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        concurrency: int = CONCURRENCY,
        shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
        enrich: Enrich | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.enrich = enrich
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
                    timeout = min(timeout, await leases.seconds_until_due(self.db))
                    if timeout <= 0:
                        claimed = await leases.claim(self.db, free, self.lease_seconds)
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

    async def _attempt(self, job: Job) -> None:
        post = asyncio.create_task(self._post(job))
        self._posts[job.delivery_id] = post
        try:
            outcome = await post
        except asyncio.CancelledError:
            if not post.cancelled():
                raise
            await leases.release(self.db, job)
            return
        finally:
            self._posts.pop(job.delivery_id, None)
        await leases.finish(self.db, job, outcome, self.settings.webhook_retry_delays)

    async def _post(self, job: Job) -> Outcome:
        started_at = utcnow()
        status_code: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                status_code, error = await self._send(job)
        except Refused as refused:
            error = f"refused: {refused}"
        except BodyNotMade:
            error = "internal error while making the body; see the server log"
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
        payload = job.payload
        if self.enrich is not None:
            try:
                payload = await self.enrich(self.db, self.settings, payload)
            except Exception as failure:
                # Its text may name the database: the endpoint's owner sees the outcome.
                logger.exception("webhook body of delivery %s not made", job.delivery_id)
                raise BodyNotMade from failure
        body = _body(payload)
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


async def _first_of(*events: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


@asynccontextmanager
async def webhook_sender(
    db: Database, settings: Settings, *, enrich: Enrich | None = None
) -> AsyncIterator[None]:
    """Runs the sender for the life of the block; on exit, finishes or releases its work."""
    sender = WebhookSender(db, settings, enrich=enrich)
    sender.start()
    try:
        yield
    finally:
        await sender.stop()
