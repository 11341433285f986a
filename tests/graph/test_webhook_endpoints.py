"""Webhook endpoints and deliveries over GraphQL, in-process: rules, rejections, tenant walls."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlmodel import col

from models.events import outbox, wakeups
from models.store import tables
from models.store.columns import utcnow
from models.store.settings import Settings
from tests.conftest import Api, MakeApi
from tests.invoicing.test_create import Catalog, ok

ENDPOINT = "id url eventTypes createdAt updatedAt"
CREATE = f"""
mutation($url: String!, $eventTypes: [String!]) {{
  createWebhookEndpoint(input: {{url: $url, eventTypes: $eventTypes}}) {{
    webhookEndpoint {{ {ENDPOINT} }} secret userErrors {{ field code message }}
  }}
}}
"""
UPDATE = f"""
mutation($input: UpdateWebhookEndpointInput!) {{
  updateWebhookEndpoint(input: $input) {{
    webhookEndpoint {{ {ENDPOINT} }} userErrors {{ field code message }}
  }}
}}
"""
DELETE = f"""
mutation($id: ID!) {{
  deleteWebhookEndpoint(id: $id) {{
    webhookEndpoint {{ {ENDPOINT} }} userErrors {{ field code message }}
  }}
}}
"""
ROTATE = f"""
mutation($id: ID!) {{
  rotateWebhookEndpointSecret(id: $id) {{
    webhookEndpoint {{ {ENDPOINT} }} secret userErrors {{ field code message }}
  }}
}}
"""
RETRY = """
mutation($id: ID!) {
  retryWebhookDelivery(id: $id) {
    webhookDelivery { id status nextAttemptAt } userErrors { field code message }
  }
}
"""
ENDPOINTS = f"""
query($first: Int, $after: String) {{
  webhookEndpoints(first: $first, after: $after) {{
    totalCount nodes {{ {ENDPOINT} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
DELIVERIES = """
query($first: Int, $after: String, $status: WebhookDeliveryStatus, $endpointId: ID) {
  webhookDeliveries(first: $first, after: $after, status: $status, endpointId: $endpointId) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id status attemptCount nextAttemptAt sending createdAt updatedAt
      webhookType invoiceId eventCursor
      endpoint { id url }
      attempts { startedAt finishedAt statusCode error }
    }
  }
}
"""
URL = "https://hooks.example.com/oneoff"


async def endpoint_count(api: Api) -> int:
    async with api.db.read() as session:
        return int(
            await session.scalar(select(func.count()).select_from(tables.WebhookEndpoint)) or 0
        )


async def create(api: Api, url: str = URL, **variables: Any) -> dict[str, Any]:
    """createWebhookEndpoint; `eventTypes=None` among `variables` sends an explicit null,
    leaving it out omits the field."""
    payload: dict[str, Any] = (await api(CREATE, url=url, **variables))["createWebhookEndpoint"]
    return payload


async def created(api: Api, url: str = URL, **variables: Any) -> dict[str, Any]:
    payload = await create(api, url, **variables)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def only_error(payload: dict[str, Any]) -> tuple[str, list[str] | None]:
    (error,) = payload["userErrors"]
    assert error["message"]
    return error["code"], error["field"]


async def refused(api: Api, url: str, code: str = "INVALID_VALUE") -> None:
    """createWebhookEndpoint fails with this code on ["url"] and writes nothing."""
    before = await endpoint_count(api)
    payload = await create(api, url)
    assert payload["webhookEndpoint"] is None
    assert payload["secret"] is None
    assert only_error(payload) == (code, ["url"])
    assert await endpoint_count(api) == before


def strict(api: Api) -> Api:
    """The same organization on a server that refuses private URLs (the default)."""
    settings = Settings(DATABASE_URL=api.settings.database_url)
    assert settings.webhook_allow_private_urls is False
    return dataclasses.replace(api, settings=settings)


async def invoice_for(api: Api) -> str:
    catalog = Catalog(api)
    customers = (await api("{ customers(first: 1) { nodes { id } } }"))["customers"]["nodes"]
    customer = customers[0]["id"] if customers else await catalog.customer("c1")
    add_ons = (await api("{ addOns(first: 1) { nodes { id } } }"))["addOns"]["nodes"]
    if not add_ons:
        await catalog.add_on("a", 500)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    invoice_id: str = invoice["id"]
    return invoice_id


async def deliveries(api: Api, **variables: Any) -> dict[str, Any]:
    connection: dict[str, Any] = (await api(DELIVERIES, **variables))["webhookDeliveries"]
    return connection


# Creating an endpoint


async def test_create_returns_the_endpoint_and_a_standard_webhooks_secret_once(api: Api) -> None:
    payload = await created(api)

    assert payload["webhookEndpoint"]["url"] == URL
    secret = payload["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24
    assert (await created(api))["secret"] != secret
    listed = (await api(ENDPOINTS))["webhookEndpoints"]
    assert listed["totalCount"] == 2
    fields = await api('{ __type(name: "WebhookEndpoint") { fields { name } } }')
    assert "secret" not in {field["name"] for field in fields["__type"]["fields"]}


async def test_the_url_is_stripped(api: Api) -> None:
    payload = await created(api, f"  {URL}  ")
    assert payload["webhookEndpoint"]["url"] == URL


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "REQUIRED"),
        ("   ", "REQUIRED"),
        ("ftp://hooks.example.com/x", "INVALID_VALUE"),
        ("javascript:alert(1)", "INVALID_VALUE"),
        ("hooks.example.com/x", "INVALID_VALUE"),
        ("http://", "INVALID_VALUE"),
        ("https:///path-only", "INVALID_VALUE"),
        ("http://.../", "INVALID_VALUE"),
        ("http://exa mple.com/", "INVALID_VALUE"),
        ("http://hooks.example.com:99999/", "INVALID_VALUE"),
        ("http://hooks.example.com:port/", "INVALID_VALUE"),
        ("https://hooks.example.com/" + "a" * 2030, "TOO_LONG"),
    ],
)
async def test_a_url_must_be_http_or_https_with_a_host(api: Api, url: str, code: str) -> None:
    await refused(api, url, code)


async def test_a_url_of_exactly_2048_characters_is_accepted(api: Api) -> None:
    url = "https://hooks.example.com/" + "a" * (2048 - len("https://hooks.example.com/"))
    assert len(url) == 2048
    await created(api, url)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "[::1]",
        "[::]",
        "[fe80::1]",
        "[fc00::1]",
        "[ff02::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "2130706433",
        "0x7f.1",
        "localhost",
        "LocalHost.",
        "api.localhost",
    ],
)
async def test_private_loopback_and_local_hosts_are_refused_by_default(api: Api, host: str) -> None:
    await refused(strict(api), f"http://{host}:8080/hooks")


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/x", "http://8.8.8.8/", "http://[2606:4700::1111]:8443/"]
)
async def test_public_hosts_are_accepted_by_default(api: Api, url: str) -> None:
    await created(strict(api), url)


async def test_private_urls_are_accepted_when_the_server_allows_them(api: Api) -> None:
    assert api.settings.webhook_allow_private_urls is True
    for url in ("http://127.0.0.1:9999/hooks", "http://localhost/x", "http://10.0.0.2/"):
        await created(api, url)


async def test_an_organization_has_at_most_10_endpoints(api: Api, make_api: MakeApi) -> None:
    for n in range(10):
        await created(api, f"{URL}/{n}")

    payload = await create(api, f"{URL}/10")

    assert payload["webhookEndpoint"] is None
    assert payload["secret"] is None
    assert only_error(payload) == ("LIMIT_REACHED", None)
    assert (await api(ENDPOINTS, first=100))["webhookEndpoints"]["totalCount"] == 10
    other = await make_api("Other")
    await created(other)


# Updating, rotating, deleting


async def test_update_changes_the_url(api: Api) -> None:
    endpoint = (await created(api))["webhookEndpoint"]
    new_url = "https://other.example.com/hooks"

    payload = (await api(UPDATE, input={"id": endpoint["id"], "url": new_url}))[
        "updateWebhookEndpoint"
    ]

    assert payload["userErrors"] == []
    assert payload["webhookEndpoint"]["url"] == new_url
    assert payload["webhookEndpoint"]["updatedAt"] > endpoint["updatedAt"]
    listed = (await api(ENDPOINTS))["webhookEndpoints"]["nodes"]
    assert [node["url"] for node in listed] == [new_url]


async def test_update_without_url_changes_nothing(api: Api) -> None:
    endpoint = (await created(api))["webhookEndpoint"]
    payload = (await api(UPDATE, input={"id": endpoint["id"]}))["updateWebhookEndpoint"]
    assert payload == {"webhookEndpoint": endpoint, "userErrors": []}


@pytest.mark.parametrize(
    ("url", "code"),
    [(None, "REQUIRED"), ("", "REQUIRED"), ("ftp://x.example/", "INVALID_VALUE")],
)
async def test_update_refuses_a_bad_url_and_keeps_the_old_one(
    api: Api, url: str | None, code: str
) -> None:
    endpoint = (await created(api))["webhookEndpoint"]
    payload = (await api(UPDATE, input={"id": endpoint["id"], "url": url}))["updateWebhookEndpoint"]
    assert payload["webhookEndpoint"] is None
    assert only_error(payload) == (code, ["url"])
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [endpoint]


async def test_update_refuses_a_private_url_by_default(api: Api) -> None:
    endpoint = (await created(api))["webhookEndpoint"]
    payload = (await strict(api)(UPDATE, input={"id": endpoint["id"], "url": "http://10.0.0.1/"}))[
        "updateWebhookEndpoint"
    ]
    assert only_error(payload) == ("INVALID_VALUE", ["url"])
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [endpoint]


async def test_rotate_returns_a_new_secret_once_and_signs_with_it(api: Api) -> None:
    first = await created(api)
    endpoint_id = first["webhookEndpoint"]["id"]

    payload = (await api(ROTATE, id=endpoint_id))["rotateWebhookEndpointSecret"]

    assert payload["userErrors"] == []
    assert payload["webhookEndpoint"]["id"] == endpoint_id
    assert payload["secret"].startswith("whsec_")
    assert payload["secret"] != first["secret"]
    async with api.db.read() as session:
        row = await session.get(tables.WebhookEndpoint, endpoint_id)
    assert row is not None
    assert row.secret == payload["secret"]


async def test_delete_removes_the_endpoint_its_deliveries_and_their_attempts(api: Api) -> None:
    endpoint = (await created(api))["webhookEndpoint"]
    kept = (await created(api, "https://kept.example.com/"))["webhookEndpoint"]
    await invoice_for(api)
    mine = (await deliveries(api, endpointId=endpoint["id"]))["nodes"]
    async with api.db.write() as session:
        now = utcnow()
        session.add(
            tables.WebhookAttempt(
                delivery_id=mine[0]["id"],
                started_at=now,
                finished_at=now,
                status_code=500,
                error="HTTP 500",
            )
        )

    payload = (await api(DELETE, id=endpoint["id"]))["deleteWebhookEndpoint"]

    assert payload == {"webhookEndpoint": endpoint, "userErrors": []}
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [kept]
    left = (await deliveries(api))["nodes"]
    assert [d["endpoint"]["id"] for d in left] == [kept["id"]]
    async with api.db.read() as session:
        attempts = await session.scalar(select(func.count()).select_from(tables.WebhookAttempt))
        events = await session.scalar(select(func.count()).select_from(tables.Event))
    assert attempts == 0
    assert events == 1
    again = (await api(DELETE, id=endpoint["id"]))["deleteWebhookEndpoint"]
    assert only_error(again) == ("WEBHOOK_ENDPOINT_NOT_FOUND", ["id"])


# Tenant walls


async def test_another_organizations_endpoint_is_not_found_and_untouched(
    api: Api, make_api: MakeApi
) -> None:
    theirs = (await created(await make_api("Other")))["webhookEndpoint"]
    attempts = [
        (await api(UPDATE, input={"id": theirs["id"], "url": URL}))["updateWebhookEndpoint"],
        (await api(ROTATE, id=theirs["id"]))["rotateWebhookEndpointSecret"],
        (await api(DELETE, id=theirs["id"]))["deleteWebhookEndpoint"],
        (await api(DELETE, id="no-such-id"))["deleteWebhookEndpoint"],
    ]
    for payload in attempts:
        assert payload["webhookEndpoint"] is None
        assert only_error(payload) == ("WEBHOOK_ENDPOINT_NOT_FOUND", ["id"])
    assert attempts[1]["secret"] is None
    async with api.db.read() as session:
        row = await session.get(tables.WebhookEndpoint, theirs["id"])
    assert row is not None
    assert row.url == theirs["url"]
    assert (await api(ENDPOINTS))["webhookEndpoints"] == {
        "totalCount": 0,
        "nodes": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_another_organizations_deliveries_are_invisible_and_not_retryable(
    api: Api, make_api: MakeApi
) -> None:
    other = await make_api("Other")
    await created(other)
    await invoice_for(other)
    (theirs,) = (await deliveries(other))["nodes"]
    await created(api)

    assert (await deliveries(api))["nodes"] == []
    assert (await deliveries(api, endpointId=theirs["endpoint"]["id"]))["totalCount"] == 0
    for delivery_id in (theirs["id"], "no-such-id"):
        payload = (await api(RETRY, id=delivery_id))["retryWebhookDelivery"]
        assert payload["webhookDelivery"] is None
        assert only_error(payload) == ("WEBHOOK_DELIVERY_NOT_FOUND", ["id"])
    assert (await deliveries(other))["nodes"] == [theirs]


async def test_an_organizations_events_go_only_to_its_own_endpoints(
    api: Api, make_api: MakeApi
) -> None:
    other = await make_api("Other")
    mine = (await created(api))["webhookEndpoint"]
    await created(other)

    await invoice_for(api)

    assert [d["endpoint"]["id"] for d in (await deliveries(api))["nodes"]] == [mine["id"]]
    assert (await deliveries(other))["nodes"] == []


# Deliveries


async def test_each_event_becomes_one_pending_delivery_per_endpoint(api: Api) -> None:
    first = (await created(api))["webhookEndpoint"]
    second = (await created(api, "https://second.example.com/"))["webhookEndpoint"]

    invoice_id = await invoice_for(api)

    connection = await deliveries(api)
    assert connection["totalCount"] == 2
    assert {d["endpoint"]["id"] for d in connection["nodes"]} == {first["id"], second["id"]}
    for delivery in connection["nodes"]:
        assert delivery["status"] == "PENDING"
        assert delivery["attemptCount"] == 0
        assert delivery["attempts"] == []
        assert delivery["sending"] is False
        assert delivery["webhookType"] == "invoice.one_off_created"
        assert delivery["invoiceId"] == invoice_id
        assert delivery["nextAttemptAt"] is not None
    cursors = {d["eventCursor"] for d in connection["nodes"]}
    assert len(cursors) == 1


async def test_an_endpoint_gets_only_events_after_its_creation(api: Api) -> None:
    await invoice_for(api)
    endpoint = (await created(api))["webhookEndpoint"]
    assert (await deliveries(api))["nodes"] == []
    invoice_id = await invoice_for(api)
    (delivery,) = (await deliveries(api))["nodes"]
    assert (delivery["invoiceId"], delivery["endpoint"]["id"]) == (invoice_id, endpoint["id"])


async def test_deliveries_filter_by_status_and_page_newest_first(api: Api) -> None:
    await created(api)
    invoices = [await invoice_for(api) for _ in range(3)]
    oldest = (await deliveries(api))["nodes"][-1]
    async with api.db.write() as session:
        await session.execute(
            update(tables.WebhookDelivery)
            .where(tables.WebhookDelivery.id == oldest["id"])
            .values(status="FAILED", next_attempt_at=None, attempt_count=8)
        )

    failed = await deliveries(api, status="FAILED")
    pending = await deliveries(api, status="PENDING")
    assert [d["id"] for d in failed["nodes"]] == [oldest["id"]]
    assert failed["nodes"][0]["attemptCount"] == 8
    assert pending["totalCount"] == 2
    assert (await deliveries(api, status="SUCCEEDED"))["nodes"] == []

    page1 = await deliveries(api, first=2)
    page2 = await deliveries(api, first=2, after=page1["pageInfo"]["endCursor"])
    assert page1["pageInfo"]["hasNextPage"] is True
    assert page2["pageInfo"]["hasNextPage"] is False
    ordered = [d["invoiceId"] for d in page1["nodes"] + page2["nodes"]]
    assert ordered == invoices[::-1]


async def test_deliveries_refuse_a_page_size_out_of_range(api: Api) -> None:
    for first in (0, 101):
        result = await api.raw(DELIVERIES, first=first)
        assert result.errors
        assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"


async def test_listing_deliveries_costs_the_same_queries_for_one_or_many(api: Api) -> None:
    await created(api)
    await created(api, "https://second.example.com/")

    async def statements() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        engine = api.db.read_engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            await deliveries(api)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    await invoice_for(api)
    with_two = await statements()
    for _ in range(3):
        await invoice_for(api)
    assert await statements() == with_two


async def test_retry_makes_a_delivery_pending_and_due_now(api: Api) -> None:
    await created(api)
    await invoice_for(api)
    (delivery,) = (await deliveries(api))["nodes"]
    later = utcnow() + timedelta(hours=5)
    async with api.db.write() as session:
        await session.execute(
            update(tables.WebhookDelivery)
            .where(tables.WebhookDelivery.id == delivery["id"])
            .values(status="SUCCEEDED", next_attempt_at=None, attempt_count=1)
        )
    token = api.db.deliveries_due.token()
    before = utcnow()

    payload = (await api(RETRY, id=delivery["id"]))["retryWebhookDelivery"]

    assert payload["userErrors"] == []
    assert payload["webhookDelivery"]["status"] == "PENDING"
    assert token.is_set(), "the sender is woken at once"
    async with api.db.read() as session:
        row = await session.get(tables.WebhookDelivery, delivery["id"])
    assert row is not None
    assert row.next_attempt_at is not None
    assert before <= row.next_attempt_at < later
    assert row.status == "PENDING"
    assert row.attempt_count == 1


async def test_deleting_an_endpoint_while_an_invoice_commits_never_fails(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found in review: on PostgreSQL an invoice could add a delivery to an endpoint being
    deleted, and the delete then failed on the foreign key. The invoice is held open after
    it has read the endpoints, while the delete starts."""
    catalog = Catalog(api)
    await catalog.customer("c1")
    await catalog.add_on("a", 100)
    endpoint_id = (await created(api))["webhookEndpoint"]["id"]
    endpoints_read = asyncio.Event()
    real_announce = wakeups.announce

    async def slow_announce(session: Any) -> None:
        endpoints_read.set()
        await asyncio.sleep(0.5)
        await real_announce(session)

    monkeypatch.setattr(outbox, "announce", slow_announce)

    async def delete_once_the_endpoints_are_read() -> dict[str, Any]:
        await endpoints_read.wait()
        payload: dict[str, Any] = (await api(DELETE, id=endpoint_id))["deleteWebhookEndpoint"]
        return payload

    invoice, deleted = await asyncio.gather(
        ok(api, externalCustomerId="c1", fees=[{"addOnCode": "a"}]),
        delete_once_the_endpoints_are_read(),
    )
    assert deleted["userErrors"] == []
    assert invoice["id"]
    assert await endpoint_count(api) == 0
    async with api.db.read() as session:
        left = await session.scalar(select(func.count()).select_from(tables.WebhookDelivery))
    assert left == 0


# Event types

CREATED = "invoice.one_off_created"
PAID = "invoice.payment_status_updated"
VOIDED = "invoice.voided"


async def stored_event_types(api: Api, endpoint_id: str) -> tuple[bool, list[str] | None]:
    """Whether the column is SQL NULL (not JSON null), and what it holds."""
    column = col(tables.WebhookEndpoint.event_types)
    query = select(column.is_(None), column).where(col(tables.WebhookEndpoint.id) == endpoint_id)
    async with api.db.read() as session:
        is_null, event_types = (await session.execute(query)).one()
    return bool(is_null), event_types


async def updated(api: Api, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(UPDATE, input=input))["updateWebhookEndpoint"]
    return payload


def errors_of(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    assert all(error["message"] for error in payload["userErrors"])
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


@pytest.mark.parametrize("explicit_null", [False, True])
async def test_an_endpoint_receives_every_event_type_unless_told(
    api: Api, explicit_null: bool
) -> None:
    variables: dict[str, Any] = {"eventTypes": None} if explicit_null else {}

    endpoint = (await created(api, URL, **variables))["webhookEndpoint"]

    assert endpoint["eventTypes"] is None
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [endpoint]
    assert await stored_event_types(api, endpoint["id"]) == (True, None)


async def test_create_keeps_the_event_types_given_in_order_without_duplicates(api: Api) -> None:
    endpoint = (await created(api, eventTypes=[VOIDED, CREATED, VOIDED, CREATED]))[
        "webhookEndpoint"
    ]

    assert endpoint["eventTypes"] == [VOIDED, CREATED]
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [endpoint]
    assert await stored_event_types(api, endpoint["id"]) == (False, [VOIDED, CREATED])


@pytest.mark.parametrize(
    ("event_types", "errors"),
    [
        (
            [CREATED, "invoice.created", VOIDED, "INVOICE.VOIDED"],
            [("INVALID_VALUE", ["eventTypes", "1"]), ("INVALID_VALUE", ["eventTypes", "3"])],
        ),
        (["", CREATED], [("INVALID_VALUE", ["eventTypes", "0"])]),
        ([], [("VALUE_OUT_OF_RANGE", ["eventTypes"])]),
    ],
)
async def test_create_refuses_unknown_or_no_event_types_and_writes_nothing(
    api: Api, event_types: list[str], errors: list[tuple[str, list[str]]]
) -> None:
    payload = await create(api, eventTypes=event_types)

    assert payload["webhookEndpoint"] is None
    assert payload["secret"] is None
    assert errors_of(payload) == errors
    assert await endpoint_count(api) == 0


async def test_an_empty_list_is_refused_with_a_message_pointing_at_null(api: Api) -> None:
    (error,) = (await create(api, eventTypes=[]))["userErrors"]
    assert "at least one" in error["message"]
    assert "null" in error["message"]


async def test_an_unknown_event_type_is_named_with_the_known_ones(api: Api) -> None:
    (error,) = (await create(api, eventTypes=["invoice.nope"]))["userErrors"]
    assert "'invoice.nope'" in error["message"]
    assert all(name in error["message"] for name in (CREATED, PAID, VOIDED))


async def test_create_reports_a_bad_url_and_bad_event_types_together(api: Api) -> None:
    payload = await create(api, "ftp://x.example/", eventTypes=[])
    assert errors_of(payload) == [
        ("INVALID_VALUE", ["url"]),
        ("VALUE_OUT_OF_RANGE", ["eventTypes"]),
    ]
    assert await endpoint_count(api) == 0


async def test_update_without_event_types_keeps_them(api: Api) -> None:
    endpoint = (await created(api, eventTypes=[VOIDED]))["webhookEndpoint"]
    new_url = "https://other.example.com/hooks"

    payload = await updated(api, id=endpoint["id"], url=new_url)

    assert payload["userErrors"] == []
    assert payload["webhookEndpoint"]["eventTypes"] == [VOIDED]
    assert payload["webhookEndpoint"]["url"] == new_url
    assert await stored_event_types(api, endpoint["id"]) == (False, [VOIDED])


async def test_update_replaces_the_event_types_with_a_list(api: Api) -> None:
    endpoint = (await created(api))["webhookEndpoint"]

    payload = await updated(api, id=endpoint["id"], eventTypes=[PAID, VOIDED, PAID])

    assert payload["userErrors"] == []
    changed = payload["webhookEndpoint"]
    assert changed["eventTypes"] == [PAID, VOIDED]
    assert changed["url"] == endpoint["url"]
    assert changed["updatedAt"] > endpoint["updatedAt"]
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [changed]
    assert await stored_event_types(api, endpoint["id"]) == (False, [PAID, VOIDED])


async def test_update_with_null_event_types_means_every_type(api: Api) -> None:
    endpoint = (await created(api, eventTypes=[VOIDED]))["webhookEndpoint"]

    payload = await updated(api, id=endpoint["id"], eventTypes=None)

    assert payload["userErrors"] == []
    changed = payload["webhookEndpoint"]
    assert changed["eventTypes"] is None
    assert changed["updatedAt"] > endpoint["updatedAt"]
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [changed]
    assert await stored_event_types(api, endpoint["id"]) == (True, None)


async def test_update_to_the_same_event_types_changes_nothing(api: Api) -> None:
    endpoint = (await created(api, eventTypes=[CREATED, VOIDED]))["webhookEndpoint"]
    payload = await updated(api, id=endpoint["id"], eventTypes=[CREATED, VOIDED, CREATED])
    assert payload == {"webhookEndpoint": endpoint, "userErrors": []}
    every = (await created(api, "https://every.example.com/"))["webhookEndpoint"]
    assert await updated(api, id=every["id"], eventTypes=None) == {
        "webhookEndpoint": every,
        "userErrors": [],
    }


@pytest.mark.parametrize(
    ("event_types", "errors"),
    [
        ([VOIDED, "invoice.paid"], [("INVALID_VALUE", ["eventTypes", "1"])]),
        ([], [("VALUE_OUT_OF_RANGE", ["eventTypes"])]),
    ],
)
async def test_update_refuses_bad_event_types_and_writes_nothing(
    api: Api, event_types: list[str], errors: list[tuple[str, list[str]]]
) -> None:
    endpoint = (await created(api, eventTypes=[CREATED]))["webhookEndpoint"]

    payload = await updated(
        api, id=endpoint["id"], url="https://other.example.com/", eventTypes=event_types
    )

    assert payload["webhookEndpoint"] is None
    assert errors_of(payload) == errors
    assert (await api(ENDPOINTS))["webhookEndpoints"]["nodes"] == [endpoint]
    assert await stored_event_types(api, endpoint["id"]) == (False, [CREATED])


async def test_an_endpoint_gets_deliveries_of_its_event_types_only(api: Api) -> None:
    every = (await created(api, "https://every.example.com/"))["webhookEndpoint"]
    creations = (await created(api, "https://created.example.com/", eventTypes=[CREATED]))[
        "webhookEndpoint"
    ]
    voids = (await created(api, "https://voided.example.com/", eventTypes=[VOIDED, PAID]))[
        "webhookEndpoint"
    ]

    invoice_id = await invoice_for(api)

    connection = await deliveries(api)
    assert sorted(d["endpoint"]["id"] for d in connection["nodes"]) == sorted(
        [every["id"], creations["id"]]
    )
    assert {(d["invoiceId"], d["webhookType"]) for d in connection["nodes"]} == {
        (invoice_id, CREATED)
    }
    assert (await deliveries(api, endpointId=voids["id"]))["totalCount"] == 0


async def test_changed_event_types_apply_from_the_next_event(api: Api) -> None:
    creations = (await created(api, eventTypes=[CREATED]))["webhookEndpoint"]
    voids = (await created(api, "https://voided.example.com/", eventTypes=[VOIDED]))[
        "webhookEndpoint"
    ]
    first = await invoice_for(api)

    await updated(api, id=creations["id"], eventTypes=[VOIDED])
    await updated(api, id=voids["id"], eventTypes=None)
    second = await invoice_for(api)

    def invoices_of(connection: dict[str, Any]) -> list[str]:
        return [d["invoiceId"] for d in connection["nodes"]]

    assert invoices_of(await deliveries(api, endpointId=creations["id"])) == [first]
    assert invoices_of(await deliveries(api, endpointId=voids["id"])) == [second]
