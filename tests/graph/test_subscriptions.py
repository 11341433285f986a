"""invoiceCreated over a real WebSocket to a real server: auth, walls, resume, pacing."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from models.events import types
from models.events.outbox import record_event
from models.events.reader import encode_event_cursor
from models.events.types import EventType
from models.store.db import Database
from tests.http_api import Http, create_organization_key
from tests.server import StartServer, server_factory
from tests.ws import connected, next_data, next_message, nothing_within, open_socket, subscribe

__all__ = ["server_factory"]

FROM_THE_START = encode_event_cursor(0)

SUBSCRIPTION = """
subscription($customerId: ID, $after: String) {
  invoiceCreated(customerId: $customerId, after: $after) {
    cursor webhookType occurredAt
    invoice { id number totalAmountCents customer { externalId } fees { amountCents } }
  }
}
"""


@pytest.fixture
def server(server_factory: StartServer) -> Any:
    return server_factory(env_overrides={"ONEOFF_EVENT_POLL_SECONDS": "0.5"})


async def test_missing_or_wrong_key_closes_with_4403(server: Any) -> None:
    await create_organization_key(server.database_url)
    for key in (None, "oo_00000000000000000000000000000000_nope", "garbage"):
        socket = await open_socket(server.ws_url, key)
        with pytest.raises(ConnectionClosed) as closed:
            await next_message(socket)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403


async def test_listener_sees_its_own_organization_and_customer_only(server: Any) -> None:
    key_a = await create_organization_key(server.database_url, "A")
    key_b = await create_organization_key(server.database_url, "B")
    a, b = Http(server.base_url, key_a), Http(server.base_url, key_b)
    customers_a = await a.setup("one", "two")
    customers_b = await b.setup("one")

    everything = await connected(server.ws_url, key_a)
    # From the first event on, so that no invoice can slip in before a subscription starts.
    await subscribe(everything, SUBSCRIPTION, {"after": FROM_THE_START})
    only_two = await connected(server.ws_url, key_a)
    await subscribe(
        only_two, SUBSCRIPTION, {"customerId": customers_a["two"], "after": FROM_THE_START}
    )
    other_org = await connected(server.ws_url, key_b)
    await subscribe(other_org, SUBSCRIPTION, {"after": FROM_THE_START})

    first = await a.invoice(customers_a["one"])
    second = await a.invoice(customers_a["two"])
    theirs = await b.invoice(customers_b["one"])

    seen = [(await next_data(everything))["invoiceCreated"] for _ in range(2)]
    assert [event["invoice"]["id"] for event in seen] == [first["id"], second["id"]]
    assert seen[0]["webhookType"] == "invoice.one_off_created"
    assert seen[0]["invoice"]["customer"] == {"externalId": "one"}
    assert (await next_data(only_two))["invoiceCreated"]["invoice"]["id"] == second["id"]
    assert (await next_data(other_org))["invoiceCreated"]["invoice"]["id"] == theirs["id"]
    assert await nothing_within(everything, 1.0)
    assert await nothing_within(only_two, 0.2)
    assert await nothing_within(other_org, 0.2)
    for socket in (everything, only_two, other_org):
        await socket.close()


async def test_a_foreign_customer_id_reads_as_not_found(server: Any) -> None:
    key_a = await create_organization_key(server.database_url, "A")
    key_b = await create_organization_key(server.database_url, "B")
    customers_b = await Http(server.base_url, key_b).setup("theirs")
    socket = await connected(server.ws_url, key_a)
    await subscribe(socket, SUBSCRIPTION, {"customerId": customers_b["theirs"]})
    await refused(socket, "1", "CUSTOMER_NOT_FOUND")
    await subscribe(socket, SUBSCRIPTION, {"after": "not-a-cursor"}, op_id="2")
    await refused(socket, "2", "BAD_USER_INPUT")
    await socket.close()


async def refused(socket: Any, op_id: str, code: str) -> None:
    """The operation ends at once with one error of that code, and no data."""
    message = await next_message(socket)
    assert message["id"] == op_id
    assert message["payload"]["data"] is None, message
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == [code]
    assert (await next_message(socket)) == {"id": op_id, "type": "complete"}


async def test_resume_after_a_drop_replays_exactly_the_missed_events(server: Any) -> None:
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": FROM_THE_START})
    first = await api.invoice(customer)
    event = (await next_data(socket))["invoiceCreated"]
    assert event["invoice"]["id"] == first["id"]
    await socket.close()

    missed = [await api.invoice(customer) for _ in range(5)]

    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": event["cursor"]})
    replayed = [(await next_data(socket))["invoiceCreated"] for _ in range(5)]
    assert [e["invoice"]["id"] for e in replayed] == [i["id"] for i in missed]
    assert len({e["cursor"] for e in replayed}) == 5
    live = await api.invoice(customer)
    assert (await next_data(socket))["invoiceCreated"]["invoice"]["id"] == live["id"]
    assert await nothing_within(socket, 1.0)
    await socket.close()


async def test_replay_meets_live_events_without_gap_or_duplicate(server: Any) -> None:
    """Invoices keep coming while a listener replays from the very beginning."""
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    before = [await api.invoice(customer) for _ in range(3)]
    start_cursor = FROM_THE_START
    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": start_cursor})
    during = await asyncio.gather(*(api.invoice(customer) for _ in range(10)))
    received = [(await next_data(socket))["invoiceCreated"] for _ in range(13)]
    numbers = [event["invoice"]["number"] for event in received]
    assert len(set(numbers)) == 13
    assert {event["invoice"]["id"] for event in received} == {
        invoice["id"] for invoice in [*before, *during]
    }
    assert numbers == sorted(numbers)
    assert await nothing_within(socket, 1.0)
    await socket.close()


async def test_a_listener_that_does_not_read_holds_no_one_back(server: Any) -> None:
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    stalled = await connected(server.ws_url, key)
    await subscribe(stalled, SUBSCRIPTION, {"after": FROM_THE_START})
    reader = await connected(server.ws_url, key)
    await subscribe(reader, SUBSCRIPTION, {"after": FROM_THE_START})
    created = [await api.invoice(customer) for _ in range(30)]
    got = [
        (await next_data(reader, timeout=5))["invoiceCreated"]["invoice"]["id"] for _ in range(30)
    ]
    assert got == [invoice["id"] for invoice in created]
    # The stalled listener still gets everything, in order, once it reads.
    late = [(await next_data(stalled))["invoiceCreated"]["invoice"]["id"] for _ in range(30)]
    assert late == got
    await stalled.close()
    await reader.close()


async def test_a_revoked_key_stops_its_subscriptions(server_factory: StartServer) -> None:
    server = server_factory(
        env_overrides={"ONEOFF_EVENT_POLL_SECONDS": "0.5", "ONEOFF_API_KEY_RECHECK_SECONDS": "0"}
    )
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    created = await api("mutation { createApiKey { key apiKey { id } } }")
    other = Http(server.base_url, created["createApiKey"]["key"])
    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": FROM_THE_START})
    await other.invoice(customer)
    assert (await next_data(socket))["invoiceCreated"]["invoice"]["customer"]
    revoked_id = str(uuid.UUID(key.split("_")[1]))
    data = await other(
        "mutation($id: ID!) { revokeApiKey(id: $id) { userErrors { code } } }", id=revoked_id
    )
    assert data["revokeApiKey"]["userErrors"] == []

    await other.invoice(customer)
    await refused(socket, "1", "UNAUTHENTICATED")
    await subscribe(socket, SUBSCRIPTION, {}, op_id="2")
    await refused(socket, "2", "UNAUTHENTICATED")
    await socket.close()


async def test_without_a_cursor_only_new_invoices_arrive_and_at_once(
    server_factory: StartServer,
) -> None:
    # Polling every minute: only the in-process wake-up can bring the event within the
    # ten seconds next_data waits.
    server = server_factory(env_overrides={"ONEOFF_EVENT_POLL_SECONDS": "60"})
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    before = await api.invoice(customer)
    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {})
    # Start-up allowance: the subscription fixes "now" when it starts. Too short a pause
    # can only fail this test, never pass it wrongly.
    await asyncio.sleep(0.5)
    after = await api.invoice(customer)
    event = (await next_data(socket))["invoiceCreated"]
    assert event["invoice"]["id"] == after["id"] != before["id"]
    assert await nothing_within(socket, 0.5)
    await socket.close()


async def test_events_of_other_types_never_reach_invoice_created(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox holds more than invoices; the subscription's contract stays "new invoices"."""
    pinged = EventType("organization.pinged", "organization", "A test event with no customer.")
    monkeypatch.setitem(types.EVENT_TYPES, pinged.name, pinged)
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    org = (await api("{ organization { id } }"))["organization"]["id"]
    socket = await connected(server.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": FROM_THE_START})

    first = await api.invoice(customer)
    db = Database(server.database_url)
    try:
        async with db.write() as session:
            await record_event(session, pinged, organization_id=org, object_id=org, body={})
    finally:
        await db.dispose()
    second = await api.invoice(customer)

    seen = [(await next_data(socket))["invoiceCreated"] for _ in range(2)]
    assert [event["invoice"]["id"] for event in seen] == [first["id"], second["id"]]
    assert [event["cursor"] for event in seen] == [encode_event_cursor(1), encode_event_cursor(3)]
    assert await nothing_within(socket, 1.0)
    await socket.close()
