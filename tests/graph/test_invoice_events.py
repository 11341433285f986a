"""invoiceEvents and the lifecycle's webhooks, over a real server: every invoice event type in
order, filtered by type and customer, resumed from a cursor; invoiceCreated unchanged; each
change signed to a real receiver with the whole invoice as it became."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from standardwebhooks import Webhook

from models.events.reader import encode_event_cursor
from tests.graph.test_subscriptions import refused
from tests.http_api import Http, create_organization_key
from tests.receiver import Receiver
from tests.server import StartServer, server_factory
from tests.ws import connected, next_data, nothing_within, subscribe

__all__ = ["server_factory"]

FROM_THE_START = encode_event_cursor(0)
EVENTS = """
subscription($customerId: ID, $types: [String!], $after: String) {
  invoiceEvents(customerId: $customerId, types: $types, after: $after) {
    cursor webhookType occurredAt invoice { id status paymentStatus }
  }
}
"""
CREATED = """
subscription($after: String) { invoiceCreated(after: $after) { webhookType invoice { id } } }
"""
PAY = """
mutation($id: ID!, $status: PaymentStatus!) {
  updateInvoicePaymentStatus(input: {id: $id, paymentStatus: $status}) {
    invoice { paymentStatus } userErrors { code }
  }
}
"""
VOID = "mutation($id: ID!) { voidInvoice(id: $id) { invoice { status } userErrors { code } } }"
ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url}) { secret userErrors { code } }
}
"""


@pytest.fixture
def server(server_factory: StartServer) -> Any:
    return server_factory(
        env_overrides={
            "ONEOFF_EVENT_POLL_SECONDS": "0.5",
            "ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
            "ONEOFF_WEBHOOK_RETRY_DELAYS": "1,1,1",
        }
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def pay(api: Http, invoice_id: str, status: str) -> None:
    data = await api(PAY, id=invoice_id, status=status)
    assert data["updateInvoicePaymentStatus"]["userErrors"] == []


async def void(api: Http, invoice_id: str) -> None:
    assert (await api(VOID, id=invoice_id))["voidInvoice"]["userErrors"] == []


def kinds(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["webhookType"], event["invoice"]["id"]) for event in events]


async def test_every_invoice_event_in_order_filtered_and_resumed(server: Any) -> None:
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customers = await api.setup("one", "two")
    everything = await connected(server.ws_url, key)
    await subscribe(everything, EVENTS, {"after": FROM_THE_START})
    voids = await connected(server.ws_url, key)
    await subscribe(voids, EVENTS, {"types": ["invoice.voided"], "after": FROM_THE_START})
    of_two = await connected(server.ws_url, key)
    await subscribe(of_two, EVENTS, {"customerId": customers["two"], "after": FROM_THE_START})
    created_only = await connected(server.ws_url, key)
    await subscribe(created_only, CREATED, {"after": FROM_THE_START})

    first = (await api.invoice(customers["one"]))["id"]
    second = (await api.invoice(customers["two"]))["id"]
    await pay(api, first, "SUCCEEDED")
    await pay(api, second, "FAILED")
    await void(api, second)

    expected = [
        ("invoice.one_off_created", first),
        ("invoice.one_off_created", second),
        ("invoice.payment_status_updated", first),
        ("invoice.payment_status_updated", second),
        ("invoice.voided", second),
    ]
    seen = [(await next_data(everything))["invoiceEvents"] for _ in expected]
    assert kinds(seen) == expected
    assert len({event["cursor"] for event in seen}) == 5
    assert seen[2]["invoice"]["paymentStatus"] == "SUCCEEDED"
    voided = (await next_data(voids))["invoiceEvents"]
    assert (voided["webhookType"], voided["invoice"]) == (
        "invoice.voided",
        {"id": second, "status": "VOIDED", "paymentStatus": "FAILED"},
    )
    of_second = [(await next_data(of_two))["invoiceEvents"] for _ in range(3)]
    assert kinds(of_second) == [event for event in expected if event[1] == second]
    created = [(await next_data(created_only))["invoiceCreated"] for _ in range(2)]
    assert [event["invoice"]["id"] for event in created] == [first, second]
    for socket in (everything, voids, of_two, created_only):
        assert await nothing_within(socket, 0.5)
        await socket.close()

    # Resumed after the second event: exactly the three after it, then live ones.
    resumed = await connected(server.ws_url, key)
    await subscribe(resumed, EVENTS, {"after": seen[1]["cursor"]})
    replayed = [(await next_data(resumed))["invoiceEvents"] for _ in range(3)]
    assert kinds(replayed) == expected[2:]
    await pay(api, first, "PENDING")
    live = (await next_data(resumed))["invoiceEvents"]
    assert kinds([live]) == [("invoice.payment_status_updated", first)]
    assert await nothing_within(resumed, 0.5)
    await resumed.close()


async def test_unknown_or_no_types_are_refused(server: Any) -> None:
    key = await create_organization_key(server.database_url)
    socket = await connected(server.ws_url, key)
    await subscribe(socket, EVENTS, {"types": ["invoice.paid"]})
    await refused(socket, "1", "BAD_USER_INPUT")
    await subscribe(socket, EVENTS, {"types": []}, op_id="2")
    await refused(socket, "2", "BAD_USER_INPUT")
    await socket.close()


async def test_payment_and_void_reach_webhooks_signed_with_the_invoice_as_it_became(
    server: Any, receiver: Receiver
) -> None:
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    secret = (await api(ENDPOINT, url=receiver.url))["createWebhookEndpoint"]["secret"]
    customer = (await api.setup("c"))["c"]
    invoice_id = (await api.invoice(customer))["id"]
    await pay(api, invoice_id, "FAILED")
    await pay(api, invoice_id, "FAILED")  # the status it has: no event, no webhook
    await void(api, invoice_id)

    requests = receiver.wait_for(lambda got: len(got) >= 3)
    # Deliveries run concurrently: they may arrive in any order, each says what it is.
    order = ["invoice.one_off_created", "invoice.payment_status_updated", "invoice.voided"]
    bodies = sorted(
        (Webhook(secret).verify(r.body, r.headers) for r in requests),
        key=lambda body: order.index(body["webhook_type"]),
    )
    assert [(b["webhook_type"], b["invoice"]["id"]) for b in bodies] == [
        ("invoice.one_off_created", invoice_id),
        ("invoice.payment_status_updated", invoice_id),
        ("invoice.voided", invoice_id),
    ]
    assert [(b["invoice"]["status"], b["invoice"]["payment_status"]) for b in bodies] == [
        ("finalized", "pending"),
        ("finalized", "failed"),
        ("voided", "failed"),
    ]
    assert bodies[2]["invoice"]["voided_at"] is not None
    assert bodies[2]["invoice"]["fees"] == bodies[0]["invoice"]["fees"]
    assert len({r.webhook_id for r in requests}) == 3
    await asyncio.sleep(1.5)
    assert len(receiver.snapshot()) == 3
