"""Behaviours an audit found untested: hashed keys, the refused legacy WebSocket protocol,
organization-wide numbering under concurrency, invoice paging, atomic customer updates, and
the webhook retry configuration."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.catalog.taxes import create_tax
from models.organizations.organizations import create_organization, update_organization
from models.store.db import Database
from models.store.settings import Settings
from models.store.tables import ApiKey
from tests.conftest import Api, MakeApi
from tests.http_api import create_organization_key
from tests.server import StartServer, server_factory

__all__ = ["server_factory"]

CREATE_INVOICE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) {
    invoice { id number issuingDate customer { id } }
    userErrors { field code message }
  }
}
"""


async def invoice(api: Api, customer_id: str, add_on: str = "a") -> dict[str, Any]:
    data = await api(
        CREATE_INVOICE, input={"customerId": customer_id, "fees": [{"addOnCode": add_on}]}
    )
    payload: dict[str, Any] = data["createOneOffInvoice"]
    assert payload["userErrors"] == [], payload["userErrors"]
    created: dict[str, Any] = payload["invoice"]
    return created


async def customers_and_add_on(api: Api, *external_ids: str) -> list[str]:
    assert api.organization is not None
    org = api.organization.id
    await create_add_on(
        api.db, org, {"code": "a", "name": "A", "amount_cents": 1000, "amount_currency": "EUR"}
    )
    return [
        (await create_customer(api.db, org, {"external_id": external_id})).id
        for external_id in external_ids
    ]


# API keys are stored hashed.


async def test_api_keys_are_stored_as_a_sha256_of_their_secret_only(db: Database) -> None:
    organization, issued = await create_organization(db, "Hashing Inc")
    plain = issued.plain
    key_hex, secret = plain.removeprefix("oo_").split("_", 1)
    assert plain == f"oo_{key_hex}_{secret}"
    assert len(secret) >= 32

    async with db.read() as session:
        stored = (await session.exec(select(ApiKey).where(ApiKey.id == issued.api_key.id))).one()
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert stored.organization_id == organization.id
        # No column of any table holds the key or its secret, in any form but the hash.
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
            for row in rows:
                for value in row:
                    assert plain not in str(value), (table.name, value)
                    assert secret not in str(value), (table.name, value)


# WebSocket: graphql-transport-ws only.


async def test_the_legacy_graphql_ws_protocol_is_refused_with_4406(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    key = await create_organization_key(server.database_url)

    legacy = await connect(
        server.ws_url, subprotocols=[Subprotocol("graphql-ws")], proxy=None, open_timeout=10
    )
    # The legacy handshake's first message; the server must not answer it.
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
    with contextlib.suppress(ConnectionClosed):
        await legacy.send(json.dumps(init))
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(legacy.recv(), 10)
    assert legacy.subprotocol is None
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4406

    # Offered both, the server picks the current protocol and acknowledges.
    for offered in (["graphql-transport-ws"], ["graphql-ws", "graphql-transport-ws"]):
        current = await connect(
            server.ws_url,
            subprotocols=[Subprotocol(name) for name in offered],
            proxy=None,
            open_timeout=10,
        )
        try:
            assert current.subprotocol == "graphql-transport-ws"
            await current.send(json.dumps(init))
            ack = json.loads(await asyncio.wait_for(current.recv(), 10))
            assert ack["type"] == "connection_ack", ack
        finally:
            await current.close()


# PER_ORGANIZATION numbering, gapless under concurrency.


async def test_concurrent_invoices_share_one_gapless_organization_sequence(api: Api) -> None:
    assert api.organization is not None
    customers = await customers_and_add_on(api, "c1", "c2", "c3")
    await update_organization(
        api.db,
        api.organization.id,
        {"document_numbering": "PER_ORGANIZATION", "document_number_prefix": "ORG"},
    )

    invoices = await asyncio.gather(*(invoice(api, customers[n % 3]) for n in range(30)))

    parsed = [re.fullmatch(r"ORG-(\d{6})-(\d{3})", inv["number"]) for inv in invoices]
    assert all(parsed), [inv["number"] for inv in invoices]
    months = {match.group(1) for match in parsed if match}
    assert len(months) == 1, months
    # Organization and customers in UTC: the month is the issuing date's.
    assert {inv["issuingDate"][:7].replace("-", "") for inv in invoices} == months
    sequence = Counter(match.group(2) for match in parsed if match)
    assert sorted(sequence) == [f"{n:03}" for n in range(1, 31)]
    assert set(sequence.values()) == {1}
    assert Counter(inv["customer"]["id"] for inv in invoices) == dict.fromkeys(customers, 10)


# Paging invoices with `after`.

INVOICES_PAGE = """
query($first: Int, $after: String, $customerId: ID) {
  invoices(first: $first, after: $after, customerId: $customerId) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CUSTOMER_INVOICES_PAGE = """
query($id: ID, $first: Int, $after: String) {
  customer(id: $id) {
    invoices(first: $first, after: $after) {
      totalCount
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def walk(api: Api, query: str, root: list[str], **variables: Any) -> list[list[str]]:
    """Every page of 2, each fetched with the previous page's endCursor; the ids per page."""
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        data: Any = await api(query, first=2, after=after, **variables)
        for key in root:
            data = data[key]
        pages.append([edge["node"]["id"] for edge in data["edges"]])
        assert data["pageInfo"]["endCursor"] == data["edges"][-1]["cursor"]
        assert len(pages) <= 10, "the cursors do not advance"
        if not data["pageInfo"]["hasNextPage"]:
            return pages
        after = data["pageInfo"]["endCursor"]


async def test_invoices_page_newest_first_through_after_cursors(api: Api) -> None:
    [one, two] = await customers_and_add_on(api, "one", "two")
    created = [await invoice(api, one if n % 2 == 0 else two) for n in range(5)]
    newest_first = [inv["id"] for inv in reversed(created)]

    pages = await walk(api, INVOICES_PAGE, ["invoices"])

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    total = (await api(INVOICES_PAGE, first=2))["invoices"]["totalCount"]
    assert total == 5

    # The same through invoices(customerId) and customer.invoices: only that customer's.
    ones = [inv["id"] for inv in reversed(created) if inv["customer"]["id"] == one]
    assert len(ones) == 3
    assert await walk(api, INVOICES_PAGE, ["invoices"], customerId=one) == [ones[0:2], ones[2:3]]
    by_customer = await walk(api, CUSTOMER_INVOICES_PAGE, ["customer", "invoices"], id=one)
    assert by_customer == [ones[0:2], ones[2:3]]
    first_page = (await api(CUSTOMER_INVOICES_PAGE, id=one, first=2))["customer"]["invoices"]
    assert first_page["totalCount"] == 3


# A rejected updateCustomer writes nothing.

UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id name }
    userErrors { field code message }
  }
}
"""

READ_CUSTOMER = """
query($id: ID) {
  customer(id: $id) {
    externalId name email currency timezone netPaymentTerm taxes { code }
  }
}
"""


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"email": "not-an-email"}, "INVALID_VALUE", ["email"]),
        ({"taxCodes": ["vat", "nope"]}, "TAX_NOT_FOUND", ["taxCodes", "1"]),
        ({"externalId": "taken"}, "TAKEN", ["externalId"]),
        ({"netPaymentTerm": -1}, "VALUE_OUT_OF_RANGE", ["netPaymentTerm"]),
    ],
    ids=["email", "tax code", "external id", "payment term"],
)
async def test_a_rejected_customer_update_keeps_the_valid_fields_out_too(
    api: Api, bad: dict[str, Any], code: str, field: list[str]
) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_tax(api.db, org, {"code": "eco", "name": "Eco", "rate": "5"})
    await create_customer(api.db, org, {"external_id": "taken"})
    customer = await create_customer(
        api.db,
        org,
        {"external_id": "c1", "name": "Old", "email": "old@example.com", "tax_codes": ["eco"]},
    )
    before = (await api(READ_CUSTOMER, id=customer.id))["customer"]

    data = await api(
        UPDATE_CUSTOMER,
        input={"id": customer.id, "name": "New", "timezone": "Europe/Paris", **bad},
    )

    payload = data["updateCustomer"]
    assert payload["customer"] is None
    assert {"code": code, "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert (await api(READ_CUSTOMER, id=customer.id))["customer"] == before


async def test_another_organizations_failed_update_leaves_the_customer_as_it_was(
    api: Api, make_api: MakeApi
) -> None:
    assert api.organization is not None
    customer = await create_customer(
        api.db, api.organization.id, {"external_id": "mine", "name": "Mine", "email": "a@b.co"}
    )
    before = (await api(READ_CUSTOMER, id=customer.id))["customer"]
    intruder = await make_api("Intruder")

    for change in (
        {"name": "pwned", "email": "evil@example.com", "externalId": "stolen"},
        {"name": "pwned", "email": "not-an-email"},
        {"currency": "USD", "taxCodes": []},
    ):
        data = await intruder(UPDATE_CUSTOMER, input={"id": customer.id, **change})
        payload = data["updateCustomer"]
        assert payload["customer"] is None
        assert "CUSTOMER_NOT_FOUND" in [e["code"] for e in payload["userErrors"]]

    assert (await api(READ_CUSTOMER, id=customer.id))["customer"] == before
    assert (await intruder(READ_CUSTOMER, id=customer.id))["customer"] is None


# Webhook retry configuration.

WEBHOOK_VARIABLES = (
    "ONEOFF_WEBHOOK_RETRY_DELAYS",
    "ONEOFF_WEBHOOK_TIMEOUT",
    "ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS",
)


def test_webhook_defaults_time_out_after_10s_and_retry_for_about_a_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in WEBHOOK_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert settings.webhook_timeout_seconds == 10
    assert settings.webhook_allow_private_urls is False
    delays = settings.webhook_retry_delays
    assert all(delay > 0 for delay in delays)
    assert list(delays) == sorted(delays), "backoff never shortens"
    assert 20 * 3600 <= sum(delays) <= 30 * 3600, sum(delays)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("1,2.5", (1.0, 2.5)), (" 60 , 300,", (60.0, 300.0)), ("0.5", (0.5,))],
)
def test_retry_delays_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, parsed: tuple[float, ...]
) -> None:
    monkeypatch.setenv("ONEOFF_WEBHOOK_RETRY_DELAYS", raw)
    monkeypatch.setenv("ONEOFF_WEBHOOK_TIMEOUT", "2.5")

    settings = Settings()

    assert settings.webhook_retry_delays == parsed
    assert settings.webhook_timeout_seconds == 2.5
