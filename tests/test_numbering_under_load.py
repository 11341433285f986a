"""Numbers and idempotency under concurrent requests to a real server (rules 10 and 11)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.http_api import Http, create_organization_key, invoice_and_event_counts
from tests.server import StartServer, server_factory

__all__ = ["server_factory"]

CREATE = """
mutation($c: ID, $k: String) {
  createOneOffInvoice(input: {customerId: $c, idempotencyKey: $k, fees: [{addOnCode: "a"}]}) {
    invoice { id number sequentialId }
    userErrors { code message }
  }
}
"""


async def test_50_concurrent_creates_number_1_to_50_once_each(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    api = Http(server.base_url, await create_organization_key(server.database_url))
    customer = (await api.setup("busy"))["busy"]

    async def one() -> dict[str, Any]:
        payload: dict[str, Any] = (await api(CREATE, c=customer))["createOneOffInvoice"]
        assert payload["userErrors"] == []
        invoice: dict[str, Any] = payload["invoice"]
        return invoice

    invoices = await asyncio.gather(*(one() for _ in range(50)))
    assert sorted(invoice["sequentialId"] for invoice in invoices) == list(range(1, 51))
    assert len({invoice["number"] for invoice in invoices}) == 50
    assert await invoice_and_event_counts(server.database_url) == (50, 50)


async def test_20_concurrent_duplicates_make_one_invoice_and_one_event(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    api = Http(server.base_url, await create_organization_key(server.database_url))
    customer = (await api.setup("dup"))["dup"]
    payloads = await asyncio.gather(*(api(CREATE, c=customer, k="order-42") for _ in range(20)))
    ids = {p["createOneOffInvoice"]["invoice"]["id"] for p in payloads}
    assert len(ids) == 1
    assert await invoice_and_event_counts(server.database_url) == (1, 1)
