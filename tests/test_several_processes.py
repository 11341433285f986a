"""Several `oneoff serve` processes on one database: numbers, idempotency and events hold."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from models.events.reader import encode_event_cursor
from tests.databases import FreshDatabase, _asyncpg_dsn
from tests.http_api import Http, create_organization_key, invoice_and_event_counts
from tests.server import StartServer, server_factory
from tests.ws import connected, next_data, nothing_within, subscribe

__all__ = ["server_factory"]

CREATE = """
mutation($c: ID, $k: String) {
  createOneOffInvoice(input: {customerId: $c, idempotencyKey: $k, fees: [{addOnCode: "a"}]}) {
    invoice { id number sequentialId }
    userErrors { code message }
  }
}
"""

SUBSCRIPTION = """
subscription($after: String) { invoiceCreated(after: $after) { cursor invoice { id number } } }
"""


async def test_two_processes_number_gaplessly_and_dedupe_across_each_other(
    server_factory: StartServer, fresh_database: FreshDatabase
) -> None:
    url = fresh_database()
    first = server_factory(database_url=url)
    second = server_factory(database_url=url)
    key = await create_organization_key(url)
    api_a, api_b = Http(first.base_url, key), Http(second.base_url, key)
    customer = (await api_a.setup("busy"))["busy"]

    async def create(api: Http, idempotency_key: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = (await api(CREATE, c=customer, k=idempotency_key))[
            "createOneOffInvoice"
        ]
        assert payload["userErrors"] == [], payload
        invoice: dict[str, Any] = payload["invoice"]
        return invoice

    invoices = await asyncio.gather(*(create(api_a if n % 2 else api_b) for n in range(100)))
    assert sorted(invoice["sequentialId"] for invoice in invoices) == list(range(1, 101))
    assert len({invoice["number"] for invoice in invoices}) == 100

    duplicates = await asyncio.gather(
        *(create(api_a if n % 2 else api_b, "same-order") for n in range(20))
    )
    assert len({invoice["id"] for invoice in duplicates}) == 1
    assert await invoice_and_event_counts(url) == (101, 101)


async def test_a_listener_on_one_process_gets_invoices_made_on_another(
    server_factory: StartServer, fresh_database: FreshDatabase
) -> None:
    url = fresh_database()
    # On PostgreSQL, a poll this slow would fail the test: only NOTIFY can be this quick.
    slow_poll = {"ONEOFF_EVENT_POLL_SECONDS": "60" if url.startswith("postgresql") else "0.5"}
    listener_side = server_factory(database_url=url, env_overrides=slow_poll)
    writer_side = server_factory(database_url=url, env_overrides=slow_poll)
    key = await create_organization_key(url)
    writer = Http(writer_side.base_url, key)
    customer = (await writer.setup("c"))["c"]
    socket = await connected(listener_side.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": encode_event_cursor(0)})
    created = await asyncio.gather(*(writer(CREATE, c=customer, k=None) for _ in range(20)))
    expected = sorted(p["createOneOffInvoice"]["invoice"]["number"] for p in created)
    received = [(await next_data(socket))["invoiceCreated"] for _ in range(20)]
    assert [event["invoice"]["number"] for event in received] == expected
    assert await nothing_within(socket, 1.5)
    await socket.close()


async def test_a_lost_notification_costs_at_most_one_poll(
    server_factory: StartServer, fresh_database: FreshDatabase
) -> None:
    url = fresh_database()
    if not url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite processes only poll")
    env = {"ONEOFF_EVENT_POLL_SECONDS": "1"}
    listener_side = server_factory(database_url=url, env_overrides=env)
    writer_side = server_factory(database_url=url, env_overrides=env)
    key = await create_organization_key(url)
    writer = Http(writer_side.base_url, key)
    customer = (await writer.setup("c"))["c"]
    socket = await connected(listener_side.ws_url, key)
    await subscribe(socket, SUBSCRIPTION, {"after": encode_event_cursor(0)})
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        # Every LISTEN connection of both servers is cut: notifications are lost until
        # they reconnect, and the poll must carry the events meanwhile.
        cut = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
        assert cut == 2
    finally:
        await connection.close()
    created = [await writer(CREATE, c=customer, k=None) for _ in range(3)]
    received = [(await next_data(socket, timeout=5))["invoiceCreated"] for _ in range(3)]
    assert [e["invoice"]["id"] for e in received] == [
        p["createOneOffInvoice"]["invoice"]["id"] for p in created
    ]
    await socket.close()
