"""One way to announce a commit: `announce` in the transaction, the wake-up after it commits,
here at once and, on PostgreSQL, in every other process through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from models.events.wakeups import announce, pg_wakeups
from models.invoicing.create import create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.store.db import Database, after_commit
from models.store.settings import Settings
from models.webhooks.deliveries import list_deliveries, retry_delivery
from models.webhooks.endpoints import create_endpoint
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on, invoice


async def test_after_commit_runs_each_callback_once_in_order_and_only_on_commit(
    api: Api,
) -> None:
    ran: list[str] = []

    def first() -> None:
        ran.append("first")

    def second() -> None:
        ran.append("second")

    async with api.db.write() as session:
        after_commit(session, first)
        after_commit(session, second)
        after_commit(session, first)
        assert ran == []
    assert ran == ["first", "second"]

    async def roll_back() -> None:
        async with api.db.write() as session:
            after_commit(session, first)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await roll_back()
    async with api.db.write():
        pass
    assert ran == ["first", "second"]


async def test_an_invoice_wakes_readers_and_senders_and_its_replay_wakes_no_one(
    api: Api,
) -> None:
    assert api.organization is not None
    (customer,) = await customers_and_add_on(api, "c")
    request = OneOffInvoiceInput(
        customer_id=customer, fees=[FeeInput(add_on_code="a")], idempotency_key="k"
    )
    events, deliveries = api.db.events_committed.token(), api.db.deliveries_due.token()

    await create_one_off_invoice(api.db, api.organization.id, request)

    assert events.is_set()
    assert deliveries.is_set()
    events, deliveries = api.db.events_committed.token(), api.db.deliveries_due.token()
    replayed = await create_one_off_invoice(api.db, api.organization.id, request)
    assert replayed.replayed
    assert not events.is_set()
    assert not deliveries.is_set()


async def test_a_retry_wakes_the_senders_only(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    (customer,) = await customers_and_add_on(api, "c")
    await create_endpoint(api.db, org, "https://one.example.com/", allow_private=False)
    await invoice(api, customer)
    async with api.db.read() as session:
        (delivery,) = (await list_deliveries(session, org, first=None, after=None)).rows
    events, deliveries = api.db.events_committed.token(), api.db.deliveries_due.token()

    await retry_delivery(api.db, org, delivery.id)

    assert deliveries.is_set()
    assert not events.is_set()


@pytest.fixture
async def listening(api: Api, settings: Settings) -> AsyncIterator[Database]:
    """api.db listening on PostgreSQL, once its LISTEN connection is up."""
    if api.db.dialect != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    connected = api.db.deliveries_due.token()
    async with pg_wakeups(api.db, settings):
        # The listener wakes everyone once connected, for what it could have missed.
        await asyncio.wait_for(connected.wait(), 10)
        yield api.db


async def woken(token: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(token.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def test_another_process_is_woken_after_commit_and_only_for_what_changed(
    api: Api, listening: Database
) -> None:
    """A second Database on the same URL plays the other process: its own wake-ups are
    not the listener's."""
    elsewhere = Database(listening.url)
    try:

        async def roll_back() -> None:
            async with elsewhere.write() as session:
                await announce(session)
                raise RuntimeError("rolled back")

        events, deliveries = listening.events_committed.token(), listening.deliveries_due.token()
        with pytest.raises(RuntimeError):
            await roll_back()
        assert not await woken(deliveries, 0.5)
        assert not events.is_set()

        async with elsewhere.write() as session:
            await announce(session, events=False)
        assert await woken(deliveries, 10)
        assert not await woken(events, 0.5)

        events, deliveries = listening.events_committed.token(), listening.deliveries_due.token()
        async with elsewhere.write() as session:
            await announce(session)
        assert await woken(events, 10)
        assert await woken(deliveries, 10)
    finally:
        await elsewhere.dispose()
