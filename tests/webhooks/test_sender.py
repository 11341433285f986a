"""The webhook sender in-process, on each engine: leases, shutdown, timeouts, refusals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from models.store import tables
from models.store.columns import utcnow
from models.store.db import Database
from models.store.settings import Settings
from models.webhooks.sender import WebhookSender
from tests.conftest import Api
from tests.graph.test_webhook_endpoints import created, invoice_for
from tests.receiver import Receiver

T = TypeVar("T")


async def until(probe: Callable[[], Awaitable[T | None]], what: str, seconds: float = 10) -> T:
    """Polls without blocking the loop the sender runs on; fails past the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = await probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds}s: {what}")
        await asyncio.sleep(0.05)


def sender_settings(database_url: str, **more: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS": True,
        "ONEOFF_WEBHOOK_RETRY_DELAYS": "1,1",
        "ONEOFF_WEBHOOK_TIMEOUT": 5,
        "ONEOFF_EVENT_POLL_SECONDS": 0.1,
        **more,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def sender(db: Database, database_url: str) -> AsyncIterator[WebhookSender]:
    running = WebhookSender(db, sender_settings(database_url), shutdown_grace=0.2)
    running.start()
    yield running
    await running.stop()


async def delivery(db: Database) -> tables.WebhookDelivery:
    async with db.read() as session:
        (row,) = (await session.exec(select(tables.WebhookDelivery))).all()
    return row


async def attempts(db: Database) -> list[tables.WebhookAttempt]:
    async with db.read() as session:
        return list((await session.exec(select(tables.WebhookAttempt))).all())


async def settled(db: Database, status: str = "SUCCEEDED") -> tables.WebhookDelivery:
    async def probe() -> tables.WebhookDelivery | None:
        row = await delivery(db)
        return row if row.status == status else None

    return await until(probe, f"the delivery {status}")


async def arrived(receiver: Receiver, count: int = 1) -> None:
    async def probe() -> bool | None:
        return True if len(receiver.snapshot()) >= count else None

    await until(probe, f"{count} request(s) at the receiver")


async def test_a_due_delivery_is_sent_and_its_attempt_recorded(
    api: Api, receiver: Receiver, sender: WebhookSender
) -> None:
    await created(api, receiver.url)
    await invoice_for(api)

    row = await settled(api.db)

    assert (row.attempt_count, row.lease_until, row.next_attempt_at) == (1, None, None)
    (attempt,) = await attempts(api.db)
    assert (attempt.status_code, attempt.error) == (200, None)
    assert attempt.started_at <= attempt.finished_at
    assert [r.webhook_id for r in receiver.snapshot()] == [row.id]


async def test_shutdown_hands_an_unfinished_send_back_due_at_once(
    api: Api, receiver: Receiver, database_url: str
) -> None:
    await created(api, receiver.url)
    receiver.delay = 5.0
    first = WebhookSender(api.db, sender_settings(database_url), shutdown_grace=0.2)
    first.start()
    await invoice_for(api)
    await arrived(receiver)

    started = time.monotonic()
    await first.stop()

    # Well short of the receiver's five seconds: the send was interrupted, not awaited.
    assert time.monotonic() - started < 4.0
    row = await delivery(api.db)
    assert row.status == "PENDING"
    assert row.lease_until is None
    assert row.next_attempt_at is not None
    assert row.next_attempt_at <= utcnow()
    assert row.attempt_count == 0
    assert await attempts(api.db) == []

    receiver.delay = 0.0
    second = WebhookSender(api.db, sender_settings(database_url))
    second.start()
    try:
        row = await settled(api.db)
    finally:
        await second.stop()
    assert [r.webhook_id for r in receiver.snapshot()] == [row.id, row.id]


async def test_two_senders_on_one_database_never_send_one_delivery_twice(
    api: Api, receiver: Receiver, database_url: str
) -> None:
    await created(api, receiver.url)
    receiver.delay = 0.2
    others = [Database(database_url) for _ in range(2)]
    senders = [WebhookSender(other, sender_settings(database_url)) for other in others]
    for each in senders:
        each.start()
    try:
        for _ in range(6):
            await invoice_for(api)

        async def all_sent() -> bool | None:
            async with api.db.read() as session:
                rows = (await session.exec(select(tables.WebhookDelivery.status))).all()
            return True if set(rows) == {"SUCCEEDED"} else None

        await until(all_sent, "every delivery SUCCEEDED")
    finally:
        for each in senders:
            await each.stop()
        for other in others:
            await other.dispose()
    requests = receiver.snapshot()
    assert len(requests) == 6
    assert len({r.webhook_id for r in requests}) == 6
    assert set(receiver.max_in_flight.values()) == {1}


async def test_a_timeout_is_a_failed_attempt_scheduled_after_the_first_delay(
    api: Api, receiver: Receiver, database_url: str
) -> None:
    await created(api, receiver.url)
    receiver.delay = 2.0
    settings = sender_settings(
        database_url, ONEOFF_WEBHOOK_TIMEOUT=0.3, ONEOFF_WEBHOOK_RETRY_DELAYS="60"
    )
    running = WebhookSender(api.db, settings)
    running.start()
    try:
        await invoice_for(api)

        async def failed_once() -> tables.WebhookDelivery | None:
            row = await delivery(api.db)
            return row if row.attempt_count == 1 else None

        row = await until(failed_once, "one failed attempt")
    finally:
        await running.stop()
    (attempt,) = await attempts(api.db)
    assert attempt.status_code is None
    assert attempt.error == "timed out after 0.3 s"
    assert row.status == "PENDING"
    assert row.lease_until is None
    assert row.next_attempt_at is not None
    assert timedelta(seconds=55) < row.next_attempt_at - attempt.finished_at < timedelta(seconds=65)


async def test_a_private_address_is_refused_at_send_time(
    api: Api, receiver: Receiver, database_url: str
) -> None:
    await created(api, receiver.url)  # allowed when created, forbidden when sent
    settings = sender_settings(database_url, ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS=False)
    running = WebhookSender(api.db, settings)
    running.start()
    try:
        await invoice_for(api)

        async def attempted() -> list[tables.WebhookAttempt] | None:
            return await attempts(api.db) or None

        (attempt,) = await until(attempted, "a refused attempt")
    finally:
        await running.stop()
    assert attempt.status_code is None
    assert attempt.error == "refused: 127.0.0.1 is a private address"
    assert receiver.snapshot() == []


async def test_an_outcome_never_overwrites_a_lease_another_sender_took(
    api: Api, receiver: Receiver, sender: WebhookSender
) -> None:
    await created(api, receiver.url)
    receiver.delay = 1.0
    await invoice_for(api)
    await arrived(receiver)
    theirs = utcnow() + timedelta(minutes=5)
    async with api.db.write() as session:
        await session.execute(
            update(tables.WebhookDelivery).values(lease_until=theirs, next_attempt_at=theirs)
        )

    async def recorded() -> list[tables.WebhookAttempt] | None:
        return await attempts(api.db) or None

    (attempt,) = await until(recorded, "the attempt recorded")
    row = await delivery(api.db)
    assert attempt.status_code == 200
    assert row.attempt_count == 1
    assert (row.status, row.lease_until, row.next_attempt_at) == ("PENDING", theirs, theirs)


async def test_an_endpoint_deleted_during_an_attempt_leaves_nothing_behind(
    api: Api, receiver: Receiver, sender: WebhookSender
) -> None:
    endpoint = (await created(api, receiver.url))["webhookEndpoint"]
    receiver.delay = 0.5
    await invoice_for(api)
    await arrived(receiver)

    await api(
        "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { userErrors { code } } }",
        id=endpoint["id"],
    )
    await until(lambda: _nothing_in_flight(sender), "the attempt finished")

    async with api.db.read() as session:
        assert (await session.exec(select(tables.WebhookDelivery))).all() == []
        assert (await session.exec(select(tables.WebhookAttempt))).all() == []
        assert (await session.exec(select(col(tables.Event.id)))).all(), "the event itself stays"


async def _nothing_in_flight(sender: WebhookSender) -> bool | None:
    return True if sender.in_flight == 0 else None
