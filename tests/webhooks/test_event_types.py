"""Endpoints choose their event types: each event, whatever its type, gets a delivery for the
endpoints that receive that type (all types, or a list naming it) and for no other, on each
engine (one statement on PostgreSQL, a filter in Python on SQLite)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import JSON, func, update
from sqlmodel import col, select

from models.events import types
from models.events.outbox import record_event
from models.events.types import INVOICE_ONE_OFF_CREATED, INVOICE_VOIDED, EventType
from models.inputs.errors import ErrorCode, Rejected
from models.store import tables
from models.webhooks.endpoints import create_endpoint
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on, invoice

PINGED = EventType("organization.pinged", "organization", "A test event with no customer.")
CREATED = INVOICE_ONE_OFF_CREATED.name
VOIDED = INVOICE_VOIDED.name


@pytest.fixture(autouse=True)
def pinged(monkeypatch: pytest.MonkeyPatch) -> EventType:
    monkeypatch.setitem(types.EVENT_TYPES, PINGED.name, PINGED)
    return PINGED


async def received(api: Api) -> dict[str, list[str]]:
    """Per endpoint id, the types of the events delivered to it, in event order."""
    query = (
        select(tables.WebhookDelivery.endpoint_id, tables.Event.webhook_type)
        .join(tables.Event, col(tables.Event.id) == col(tables.WebhookDelivery.event_id))
        .order_by(col(tables.Event.sequence))
    )
    by_endpoint: dict[str, list[str]] = defaultdict(list)
    async with api.db.read() as session:
        for endpoint_id, webhook_type in await session.exec(query):
            by_endpoint[endpoint_id].append(webhook_type)
    return dict(by_endpoint)


async def endpoint(api: Api, name: str, event_types: list[str] | None) -> str:
    assert api.organization is not None
    made = await create_endpoint(
        api.db,
        api.organization.id,
        f"https://{name}.example.com/",
        allow_private=False,
        event_types=event_types,
    )
    return made.endpoint.id


async def ping(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    async with api.db.write() as session:
        await record_event(session, PINGED, organization_id=org, object_id=org, body={"id": org})


async def test_each_event_goes_only_to_the_endpoints_receiving_its_type(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    every = await endpoint(api, "every", None)
    pings = await endpoint(api, "pings", [PINGED.name])
    creations = await endpoint(api, "creations", [CREATED])
    both = await endpoint(api, "both", [PINGED.name, CREATED])

    await ping(api)
    await invoice(api, customer)
    await ping(api)

    assert await received(api) == {
        every: [PINGED.name, CREATED, PINGED.name],
        pings: [PINGED.name, PINGED.name],
        creations: [CREATED],
        both: [PINGED.name, CREATED, PINGED.name],
    }


async def test_an_event_no_endpoint_receives_has_no_delivery(api: Api) -> None:
    await endpoint(api, "creations", [CREATED])

    await ping(api)

    assert await received(api) == {}
    async with api.db.read() as session:
        assert len(list(await session.exec(select(tables.Event)))) == 1


async def test_the_core_refuses_unknown_and_empty_event_types(api: Api) -> None:
    with pytest.raises(Rejected) as unknown:
        await endpoint(api, "x", [CREATED, "organization.pong", "organization.pong"])
    assert [(e.code, e.field) for e in unknown.value.errors] == [
        (ErrorCode.INVALID_VALUE, ("eventTypes", "1")),
        (ErrorCode.INVALID_VALUE, ("eventTypes", "2")),
    ]
    with pytest.raises(Rejected) as empty:
        await endpoint(api, "x", [])
    assert [(e.code, e.field) for e in empty.value.errors] == [
        (ErrorCode.VALUE_OUT_OF_RANGE, ("eventTypes",))
    ]
    async with api.db.read() as session:
        assert list(await session.exec(select(tables.WebhookEndpoint))) == []


async def test_an_endpoint_whose_event_types_are_json_null_receives_every_type(api: Api) -> None:
    """A JSON `null` (what the ORM writes for None in a JSON column unless told otherwise)
    means every type, as SQL NULL does, on both engines."""
    (customer,) = await customers_and_add_on(api, "c")
    endpoint_id = await endpoint(api, "json-null", [VOIDED])
    column = col(tables.WebhookEndpoint.event_types)
    async with api.db.write() as session:
        await session.execute(
            update(tables.WebhookEndpoint)
            .where(col(tables.WebhookEndpoint.id) == endpoint_id)
            .values(event_types=JSON.NULL)
        )
    async with api.db.read() as session:
        assert await session.scalar(select(func.count()).where(column.is_(None))) == 0

    await ping(api)
    await invoice(api, customer)

    assert await received(api) == {endpoint_id: [PINGED.name, CREATED]}
