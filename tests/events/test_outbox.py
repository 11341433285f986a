"""record_event: the row, its deliveries and its sequence, written with what it announces or
not at all; the wake-up after the commit, never before it nor after a rollback."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from models.events import types
from models.events.outbox import record_event
from models.events.types import EventType
from models.store import tables
from models.webhooks.endpoints import create_endpoint
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on, invoice

PINGED = EventType("organization.pinged", "organization", "A test event with no customer.")


@pytest.fixture(autouse=True)
def pinged(monkeypatch: pytest.MonkeyPatch) -> EventType:
    monkeypatch.setitem(types.EVENT_TYPES, PINGED.name, PINGED)
    return PINGED


async def count(api: Api, table: type[tables.Event] | type[tables.WebhookDelivery]) -> int:
    async with api.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_an_invoice_event_names_its_customer_and_carries_the_envelope(api: Api) -> None:
    assert api.organization is not None
    (customer,) = await customers_and_add_on(api, "c")
    created = await invoice(api, customer)

    async with api.db.read() as session:
        (event,) = await session.exec(select(tables.Event))
        row = await session.get(tables.Invoice, created["id"])
    assert row is not None
    assert (event.webhook_type, event.object_type) == ("invoice.one_off_created", "invoice")
    assert (event.object_id, event.customer_id, event.sequence) == (row.id, customer, 1)
    assert event.occurred_at == row.created_at
    assert list(event.payload) == ["webhook_type", "object_type", "organization_id", "invoice"]
    assert event.payload["organization_id"] == api.organization.id
    assert isinstance(event.payload["invoice"], dict)
    assert event.payload["invoice"]["id"] == row.id


async def test_without_a_sequence_it_takes_the_organizations_next_one(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    (customer,) = await customers_and_add_on(api, "c")
    await invoice(api, customer)
    for url in ("https://one.example.com/", "https://two.example.com/"):
        await create_endpoint(api.db, org, url, allow_private=False)

    async with api.db.write() as session:
        event = await record_event(
            session, PINGED, organization_id=org, object_id=org, body={"id": org}
        )
    await invoice(api, customer)

    async with api.db.read() as session:
        organization = await session.get(tables.Organization, org)
        events = list(await session.exec(select(tables.Event).order_by(col(tables.Event.sequence))))
        deliveries = list(
            await session.exec(
                select(tables.WebhookDelivery).where(
                    col(tables.WebhookDelivery.event_id) == event.id
                )
            )
        )
    assert organization is not None
    assert organization.event_seq == 3
    assert [e.sequence for e in events] == [1, 2, 3]
    assert (event.sequence, event.customer_id, event.object_type) == (2, None, "organization")
    assert event.payload == {
        "webhook_type": "organization.pinged",
        "object_type": "organization",
        "organization_id": org,
        "organization": {"id": org},
    }
    assert len(deliveries) == 2
    assert {d.next_attempt_at for d in deliveries} == {event.occurred_at}


async def test_a_rolled_back_event_leaves_nothing_and_wakes_no_one(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_endpoint(api.db, org, "https://one.example.com/", allow_private=False)
    events, deliveries = api.db.events_committed.token(), api.db.deliveries_due.token()

    async def fail_after_recording() -> None:
        async with api.db.write() as session:
            await record_event(session, PINGED, organization_id=org, object_id=org, body={})
            raise RuntimeError("the use-case fails after recording its event")

    with pytest.raises(RuntimeError):
        await fail_after_recording()

    await asyncio.sleep(0)
    assert not events.is_set()
    assert not deliveries.is_set()
    assert await count(api, tables.Event) == 0
    assert await count(api, tables.WebhookDelivery) == 0
    async with api.db.read() as session:
        organization = await session.get(tables.Organization, org)
    assert organization is not None
    assert organization.event_seq == 0


async def test_the_wake_up_comes_after_the_commit_so_a_woken_reader_sees_the_row(
    api: Api,
) -> None:
    assert api.organization is not None
    org = api.organization.id
    token = api.db.events_committed.token()

    async def woken_reader() -> int:
        await token.wait()
        return await count(api, tables.Event)

    reader = asyncio.create_task(woken_reader())
    async with api.db.write() as session:
        await record_event(session, PINGED, organization_id=org, object_id=org, body={})
        # Flushed and announced, not committed: nobody may be woken yet.
        await asyncio.sleep(0.05)
        assert not token.is_set()
        assert not reader.done()

    assert await asyncio.wait_for(reader, 5) == 1
