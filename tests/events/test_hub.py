"""The hub: one reader of new events per process, whatever the number of listeners. Counts,
never times: statements per event and per poll, events buffered, events received."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events import listener as listener_module
from models.events import types
from models.events.hub import hub_of
from models.events.outbox import record_event
from models.events.reader import follow, listen
from models.events.types import EventType
from models.invoicing.reads import invoices_by_id
from models.store.db import Database
from models.store.tables import Event, Invoice
from tests.conftest import Api, MakeApi
from tests.events.watching import Taking, statements, until
from tests.invoicing.making import customers_and_add_on, invoice

PINGED = EventType("organization.pinged", "organization", "A test event with no customer.")
PONGED = EventType("organization.ponged", "organization", "Another one.")


@pytest.fixture(autouse=True)
def test_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(types.EVENT_TYPES, PINGED.name, PINGED)
    monkeypatch.setitem(types.EVENT_TYPES, PONGED.name, PONGED)


async def ping(db: Database, org: str, event_type: EventType = PINGED) -> None:
    async with db.write() as session:
        await record_event(session, event_type, organization_id=org, object_id=org, body={})


def sequences(items: Sequence[Any]) -> list[int]:
    return [(item[0] if isinstance(item, tuple) else item).sequence for item in items]


async def test_one_event_costs_the_same_statements_for_one_listener_or_twenty(api: Api) -> None:
    assert api.organization is not None
    org, db, hub = api.organization.id, api.db, hub_of(api.db)
    (customer,) = await customers_and_add_on(api, "c")
    await invoice(api, customer)  # the customer's first invoice also sets its currency

    async def one_event(listeners: list[Taking], sequence: int) -> list[str]:
        with statements(db) as seen:
            await invoice(api, customer)
            await until(lambda: all(sequences(t.got)[-1:] == [sequence] for t in listeners))
        return seen

    listeners = [Taking(follow(db, org, after=None, poll_seconds=60, load=invoices_by_id))]
    await until(lambda: len(hub.listeners(org)) == 1)
    alone = await one_event(listeners, 2)
    listeners += [
        Taking(follow(db, org, after=None, poll_seconds=60, load=invoices_by_id)) for _ in range(19)
    ]
    await until(lambda: len(hub.listeners(org)) == 20)
    twenty = await one_event(listeners, 3)

    assert len(twenty) == len(alone)
    assert len([s for s in twenty if "FROM events" in s]) == 1  # the hub's one read
    assert len([s for s in twenty if "FROM invoices" in s]) == 1  # its one load
    for taking in listeners:
        await taking.stop()


async def test_idle_listeners_cost_one_read_a_poll_per_organization_and_nothing_once_gone(
    make_api: MakeApi,
) -> None:
    a, b = await make_api("A"), await make_api("B")
    assert a.organization is not None
    assert b.organization is not None
    db, hub, poll = a.db, hub_of(a.db), 0.05
    org_a, org_b = a.organization.id, b.organization.id
    listeners = [
        Taking(follow(db, org_a, after=None, poll_seconds=poll, load=invoices_by_id))
        for _ in range(20)
    ]
    listeners.append(Taking(follow(db, org_b, after=None, poll_seconds=poll)))
    await until(lambda: len(hub.listeners(org_a)) == 20)
    await until(lambda: len(hub.listeners(org_b)) == 1)

    began = time.monotonic()
    with statements(db) as seen:
        await asyncio.sleep(6 * poll)
    polls = (time.monotonic() - began) / poll
    reads = [s for s in seen if "FROM events" in s]
    assert 1 <= len(reads) <= 2 * (polls + 1), "at most one read a poll for each organization"
    assert [s for s in seen if "FROM events" not in s and not s.startswith("BEGIN")] == []
    assert all(t.got == [] for t in listeners)

    for taking in listeners:
        await taking.stop()
    await until(lambda: not hub.running)
    with statements(db) as seen:
        await asyncio.sleep(4 * poll)
    assert seen == []


async def test_a_stalled_listener_holds_its_bound_delays_no_one_and_misses_nothing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listener_module, "BUFFER", 5)
    assert api.organization is not None
    org, db, hub = api.organization.id, api.db, hub_of(api.db)
    stalled = follow(db, org, after=None, poll_seconds=60)
    first = asyncio.create_task(anext(stalled))
    await until(lambda: len(hub.listeners(org)) == 1)
    (stalled_listener,) = hub.listeners(org)
    reader = Taking(follow(db, org, after=None, poll_seconds=60))
    await until(lambda: len(hub.listeners(org)) == 2)

    most_held = 0
    for count in range(1, 21):
        await ping(db, org)
        # The stalled one delays no one.
        await until(lambda: len(reader.got) == count)  # noqa: B023 (awaited in the loop)
        most_held = max(most_held, len(stalled_listener.buffer))
    assert sequences(reader.got) == list(range(1, 21))
    assert (await first).sequence == 1
    assert most_held == 5
    assert stalled_listener not in hub.listeners(org)  # off the hub, reading on its own
    assert len(hub.listeners(org)) == 1

    late = [await anext(stalled) for _ in range(19)]
    assert sequences(late) == list(range(2, 21))
    rejoined = asyncio.create_task(anext(stalled))
    await until(lambda: len(hub.listeners(org)) == 2)  # caught up: served by the hub again
    await ping(db, org)
    assert (await rejoined).sequence == 21
    await until(lambda: len(reader.got) == 21)
    await stalled.aclose()
    await reader.stop()


async def test_each_organization_gets_its_own_events_only(make_api: MakeApi) -> None:
    a, b = await make_api("A"), await make_api("B")
    assert a.organization is not None
    assert b.organization is not None
    db, hub = a.db, hub_of(a.db)
    org_a, org_b = a.organization.id, b.organization.id
    (customer_a,) = await customers_and_add_on(a, "a")
    (customer_b,) = await customers_and_add_on(b, "b")
    on_a = [Taking(follow(db, org_a, after=None, poll_seconds=60, load=invoices_by_id))]
    on_b = [Taking(follow(db, org_b, after=None, poll_seconds=60, load=invoices_by_id))]
    await until(lambda: len(hub.listeners(org_a)) == 1)
    await until(lambda: len(hub.listeners(org_b)) == 1)

    made = await asyncio.gather(*(invoice(x, c) for x, c in [(a, customer_a), (b, customer_b)] * 3))
    await until(lambda: len(on_a[0].got) == 3 and len(on_b[0].got) == 3)

    for taking, org, customer in [(on_a[0], a, customer_a), (on_b[0], b, customer_b)]:
        assert org.organization is not None
        assert {e.organization_id for e, _ in taking.got} == {org.organization.id}
        assert {i.customer_id for _, i in taking.got} == {customer}
        ours = {m["id"] for m in made if m["customer"]["id"] == customer}
        assert {i.id for _, i in taking.got} == ours
        await taking.stop()


async def test_replays_meet_the_live_stream_with_no_gap_and_no_duplicate(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listeners replay from the start, some slow enough to overflow and fall back, while
    events keep coming; one of them takes one type only, across pages of the other."""
    monkeypatch.setattr(listener_module, "BUFFER", 3)
    assert api.organization is not None
    org, db = api.organization.id, api.db
    for n in range(150):
        await ping(db, org, PINGED if n % 3 else PONGED)

    async def take(count: int, slow: bool, **filters: Any) -> list[int]:
        events = follow(db, org, after=0, poll_seconds=0.05, **filters)
        got = []
        async for item in events:
            got.append(item.sequence)
            if slow and len(got) % 7 == 0:
                await asyncio.sleep(0.02)
            if len(got) == count:
                break
        await events.aclose()
        return got

    async def write() -> None:
        for n in range(150, 250):
            await ping(db, org, PINGED if n % 3 else PONGED)
            await asyncio.sleep(0)

    *taken, pinged, _ = await asyncio.gather(
        take(250, False),
        take(250, True),
        take(250, True),
        take(len([n for n in range(250) if n % 3]), True, types={PINGED.name}),
        write(),
    )
    for got in taken:
        assert got == list(range(1, 251))
    assert pinged == [n + 1 for n in range(250) if n % 3]


async def test_a_listener_goes_on_alone_once_the_hub_has_stopped(api: Api) -> None:
    assert api.organization is not None
    org, db, hub = api.organization.id, api.db, hub_of(api.db)
    taking = Taking(follow(db, org, after=None, poll_seconds=0.05))
    await until(lambda: len(hub.listeners(org)) == 1)
    await hub.close()
    assert not hub.running
    assert hub.listeners(org) == []
    await ping(db, org)
    await until(lambda: sequences(taking.got) == [1])
    await taking.stop()


async def test_objects_not_found_are_passed_over_by_the_hub_too(api: Api) -> None:
    assert api.organization is not None
    org, db, hub = api.organization.id, api.db, hub_of(api.db)
    loaded: list[Sequence[str]] = []

    async def load(session: AsyncSession, ids: Sequence[str]) -> dict[str, Invoice]:
        loaded.append(ids)
        return await invoices_by_id(session, ids)

    (customer,) = await customers_and_add_on(api, "c")
    deliveries = listen(db, org, after=None, poll_seconds=60, load=load)
    taking = Taking(deliveries)
    await until(lambda: len(hub.listeners(org)) == 1)
    await ping(db, org)
    made = await invoice(api, customer)
    await until(lambda: len(taking.got) == 1)
    delivery = taking.got[0]
    assert isinstance(delivery.event, Event)
    assert delivery.object.id == made["id"]
    assert delivery.batch.open
    # The ping's id (no invoice), then the invoice's: once each, whichever reads they came in.
    assert [i for ids in loaded for i in ids] == [org, made["id"]]
    await taking.stop()
