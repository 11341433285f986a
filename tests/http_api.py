"""An HTTP GraphQL client for tests against a real server, and a quick catalog to bill from."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from models.organizations.organizations import create_organization
from models.store import tables
from models.store.db import Database


async def create_organization_key(database_url: str, name: str = "Acme") -> str:
    db = Database(database_url)
    try:
        return (await create_organization(db, name))[1].plain
    finally:
        await db.dispose()


class Http:
    def __init__(self, base_url: str, key: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {key}"},
            trust_env=False,
            timeout=20,
        )

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def setup(self, *customers: str) -> dict[str, str]:
        await self("""mutation { createAddOn(input: {code: "a", name: "A", amountCents: 1000,
                      amountCurrency: EUR}) { userErrors { code } } }""")
        ids = {}
        for external_id in customers:
            data = await self(
                """mutation($e: String!) { createCustomer(input: {externalId: $e})
                                 { customer { id } } }""",
                e=external_id,
            )
            ids[external_id] = data["createCustomer"]["customer"]["id"]
        return ids

    async def invoice(self, customer_id: str) -> dict[str, Any]:
        data = await self(
            """mutation($c: ID) { createOneOffInvoice(input: {customerId: $c,
                             fees: [{addOnCode: "a"}]}) { invoice { id number }
                             userErrors { code } } }""",
            c=customer_id,
        )
        invoice: dict[str, Any] = data["createOneOffInvoice"]["invoice"]
        assert invoice is not None, data
        return invoice


async def invoice_and_event_counts(database_url: str) -> tuple[int, int]:
    db = Database(database_url)
    try:
        async with db.read() as session:
            invoices = await session.scalar(select(func.count()).select_from(tables.Invoice))
            events = await session.scalar(select(func.count()).select_from(tables.Event))
        return int(invoices or 0), int(events or 0)
    finally:
        await db.dispose()
