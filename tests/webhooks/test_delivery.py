"""Webhooks end to end: a real `oneoff serve` sends to a real HTTP receiver on loopback.

Signatures are checked with the `standardwebhooks` package, as a consumer would, never with
the project's own code. Waits are polls with a deadline; nothing sleeps to assert.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from standardwebhooks import Webhook

from tests.receiver import Receiver
from tests.server import (
    Server,
    StartServer,
    create_organization_key,
    server_factory,  # noqa: F401
)

ENV = {
    "ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    "ONEOFF_WEBHOOK_RETRY_DELAYS": "1,1,1",
    "ONEOFF_WEBHOOK_TIMEOUT": "5",
    "ONEOFF_EVENT_POLL_SECONDS": "0.2",
}
WAIT = 20.0

T = TypeVar("T")

DELIVERIES = """
query($status: WebhookDeliveryStatus) {
  webhookDeliveries(first: 100, status: $status) {
    totalCount
    nodes {
      id status attemptCount nextAttemptAt sending webhookType invoiceId eventCursor
      endpoint { id url }
      attempts { startedAt finishedAt statusCode error }
    }
  }
}
"""
CREATE_ENDPOINT = """
mutation($url: String!) {
  createWebhookEndpoint(input: {url: $url}) {
    webhookEndpoint { id url } secret userErrors { field code message }
  }
}
"""
CREATE_INVOICE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) { invoice { id number } userErrors { field code message } }
}
"""
RETRY = """
mutation($id: ID!) {
  retryWebhookDelivery(id: $id) {
    webhookDelivery { id status sending } userErrors { field code message }
  }
}
"""


def eventually(probe: Callable[[], T | None], what: str, timeout: float = WAIT) -> T:
    """Polls probe() until it returns something other than None; fails past the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


@dataclass
class Tenant:
    """One organization spoken to over HTTP, with a customer and an add-on to bill."""

    http: httpx.Client
    key: str

    def __call__(self, document: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {self.key}"},
        )
        body = response.json()
        assert response.status_code == 200, body
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def endpoint(self, url: str) -> tuple[str, str]:
        payload = self(CREATE_ENDPOINT, url=url)["createWebhookEndpoint"]
        assert payload["userErrors"] == []
        return payload["webhookEndpoint"]["id"], payload["secret"]

    def invoice(self, units: str = "1") -> str:
        fee = {"addOnCode": "setup", "units": units}
        input = {"externalCustomerId": "cust-1", "fees": [fee]}
        payload = self(CREATE_INVOICE, input=input)["createOneOffInvoice"]
        assert payload["userErrors"] == []
        invoice_id: str = payload["invoice"]["id"]
        return invoice_id

    def deliveries(self, status: str | None = None) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = self(DELIVERIES, status=status)["webhookDeliveries"]["nodes"]
        return nodes

    def delivery_of(self, invoice_id: str) -> dict[str, Any] | None:
        return next((d for d in self.deliveries() if d["invoiceId"] == invoice_id), None)

    def settled(self, invoice_id: str, status: str = "SUCCEEDED") -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            delivery = self.delivery_of(invoice_id)
            return delivery if delivery and delivery["status"] == status else None

        return eventually(probe, f"delivery of invoice {invoice_id} {status}")


def tenant(server: Server, http: httpx.Client, name: str = "Acme Corp") -> Tenant:
    """A new organization on the server's database, with a customer and an add-on."""
    org = Tenant(http, create_organization_key(server.database_url, name))
    org(
        'mutation { createCustomer(input: {externalId: "cust-1", currency: EUR}) '
        "{ userErrors { code } } }"
    )
    org(
        'mutation { createAddOn(input: {code: "setup", name: "Setup", amountCents: 1000, '
        "amountCurrency: EUR}) { userErrors { code } } }"
    )
    return org


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def server(server_factory: StartServer) -> Server:  # noqa: F811
    return server_factory(env_overrides=ENV)


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture
def acme(server: Server, http: httpx.Client) -> Tenant:
    return tenant(server, http)


def verified(secret: str, request: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return payload


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_an_invoice_arrives_signed_with_the_whole_invoice_in_snake_case(
    acme: Tenant, receiver: Receiver
) -> None:
    _, secret = acme.endpoint(receiver.url)
    organization_id = acme("{ organization { id } }")["organization"]["id"]

    invoice_id = acme.invoice()

    (request,) = receiver.wait_for(lambda requests: len(requests) >= 1)
    payload = verified(secret, request)
    assert request.headers["content-type"] == "application/json"
    assert re.fullmatch(r"\d+", request.headers["webhook-timestamp"])
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert json.loads(request.body) == payload
    assert set(payload) == {"webhook_type", "object_type", "organization_id", "invoice"}
    assert payload["webhook_type"] == "invoice.one_off_created"
    assert payload["object_type"] == "invoice"
    assert payload["organization_id"] == organization_id
    invoice = payload["invoice"]
    assert invoice["id"] == invoice_id
    assert invoice["customer"]["external_id"] == "cust-1"
    assert invoice["fees"][0]["add_on"]["code"] == "setup"
    assert "applied_taxes" in invoice
    assert "total_amount_cents" in invoice
    assert all(key == key.lower() for key in keys_of(payload)), keys_of(payload)

    delivery = acme.settled(invoice_id)
    assert request.headers["webhook-id"] == delivery["id"]
    assert delivery["webhookType"] == "invoice.one_off_created"
    assert delivery["eventCursor"]
    assert delivery["attemptCount"] == 1
    assert [a["statusCode"] for a in delivery["attempts"]] == [200]
    assert delivery["attempts"][0]["error"] is None
    assert delivery["nextAttemptAt"] is None


def test_a_failing_answer_is_retried_with_the_same_id_until_it_succeeds(
    acme: Tenant, receiver: Receiver
) -> None:
    _, secret = acme.endpoint(receiver.url)
    receiver.answer(500, 503)

    invoice_id = acme.invoice()

    delivery = acme.settled(invoice_id)
    requests = receiver.snapshot()
    assert [r.status for r in requests] == [500, 503, 200]
    assert {r.webhook_id for r in requests} == {delivery["id"]}
    assert all(verified(secret, r)["invoice"]["id"] == invoice_id for r in requests)
    assert delivery["attemptCount"] == 3
    attempts = delivery["attempts"]
    assert [a["statusCode"] for a in attempts] == [500, 503, 200]
    assert attempts[0]["error"].startswith("HTTP 500")
    assert attempts[2]["error"] is None
    assert attempts[0]["startedAt"] <= attempts[0]["finishedAt"] <= attempts[1]["startedAt"]


def test_used_up_delays_mark_the_delivery_failed_and_retry_sends_it_again_now(
    acme: Tenant, receiver: Receiver
) -> None:
    acme.endpoint(receiver.url)
    receiver.answer(500, 500, 500, 500)

    invoice_id = acme.invoice()

    failed = acme.settled(invoice_id, "FAILED")
    assert failed["attemptCount"] == 4  # the first attempt, then one per delay
    assert failed["nextAttemptAt"] is None
    assert [d["id"] for d in acme.deliveries("FAILED")] == [failed["id"]]
    assert acme.deliveries("PENDING") == []
    assert len(receiver.snapshot()) == 4

    retried = acme(RETRY, id=failed["id"])["retryWebhookDelivery"]
    assert retried["userErrors"] == []
    assert retried["webhookDelivery"]["status"] == "PENDING"

    delivery = acme.settled(invoice_id)
    assert delivery["attemptCount"] == 5
    assert [r.status for r in receiver.snapshot()] == [500, 500, 500, 500, 200]


def test_a_delivery_survives_a_server_restart_while_the_receiver_is_down(
    server_factory: StartServer,  # noqa: F811
    receiver: Receiver,
) -> None:
    env = {**ENV, "ONEOFF_WEBHOOK_RETRY_DELAYS": "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"}
    first = server_factory(env_overrides=env)
    with first.client() as http:
        acme = tenant(first, http)
        _, secret = acme.endpoint(receiver.url)
        receiver.stop()
        invoice_id = acme.invoice()

        def refused() -> dict[str, Any] | None:
            delivery = acme.delivery_of(invoice_id)
            return delivery if delivery and delivery["attempts"] else None

        failed = eventually(refused, "an attempt refused by the stopped receiver")
        assert failed["status"] == "PENDING"
        assert failed["attempts"][0]["statusCode"] is None
        assert failed["attempts"][0]["error"]
    first.stop()

    second = server_factory(database_url=first.database_url, env_overrides=env)
    receiver.start()
    with second.client() as http:
        acme.http = http
        delivery = acme.settled(invoice_id)
    requests = receiver.snapshot()
    assert [r.webhook_id for r in requests] == [delivery["id"]]
    assert verified(secret, requests[0])["invoice"]["id"] == invoice_id
    assert delivery["attempts"][-1]["statusCode"] == 200


def test_an_organization_never_receives_another_organizations_events(
    server: Server, http: httpx.Client, acme: Tenant, receiver: Receiver
) -> None:
    globex = tenant(server, http, "Globex")
    with Receiver() as other:
        acme.endpoint(receiver.url)
        globex.endpoint(other.url)

        acme_invoice = acme.invoice()
        globex_invoice = globex.invoice()

        acme_delivery = acme.settled(acme_invoice)
        globex_delivery = globex.settled(globex_invoice)
        assert [d["id"] for d in acme.deliveries()] == [acme_delivery["id"]]
        assert [d["id"] for d in globex.deliveries()] == [globex_delivery["id"]]
        assert [r.webhook_id for r in receiver.snapshot()] == [acme_delivery["id"]]
        assert [r.webhook_id for r in other.snapshot()] == [globex_delivery["id"]]
        assert json.loads(other.snapshot()[0].body)["invoice"]["id"] == globex_invoice

    foreign = globex(RETRY, id=acme_delivery["id"])["retryWebhookDelivery"]
    assert foreign["webhookDelivery"] is None
    assert foreign["userErrors"][0]["code"] == "WEBHOOK_DELIVERY_NOT_FOUND"


def test_an_attempt_in_flight_is_never_doubled_by_a_retry(acme: Tenant, receiver: Receiver) -> None:
    acme.endpoint(receiver.url)
    receiver.delay = 2.0
    receiver.answer(500)

    invoice_id = acme.invoice()
    receiver.wait_for(lambda requests: len(requests) == 1)
    delivery = eventually(lambda: acme.delivery_of(invoice_id), "the delivery row")
    for _ in range(3):
        retried = acme(RETRY, id=delivery["id"])["retryWebhookDelivery"]
        assert retried["webhookDelivery"]["sending"] is True

    settled = acme.settled(invoice_id)
    requests = receiver.snapshot()
    assert [r.status for r in requests] == [500, 200]  # the retry ran after, not alongside
    assert receiver.max_in_flight[delivery["id"]] == 1
    assert requests[1].at >= requests[0].at + receiver.delay
    assert settled["attemptCount"] == 2


def test_two_server_processes_never_send_one_delivery_twice(
    server: Server,
    server_factory: StartServer,  # noqa: F811
    acme: Tenant,
    receiver: Receiver,
) -> None:
    other = server_factory(database_url=server.database_url, env_overrides=ENV)
    acme.endpoint(receiver.url)
    receiver.delay = 0.3
    with other.client() as other_http:
        acme_elsewhere = Tenant(other_http, acme.key)
        invoices = [acme.invoice() if n % 2 else acme_elsewhere.invoice() for n in range(6)]

        for invoice_id in invoices:
            acme.settled(invoice_id)
    requests = receiver.snapshot()
    assert len(requests) == len(invoices)
    assert len({r.webhook_id for r in requests}) == len(invoices)
    assert set(receiver.max_in_flight.values()) == {1}


PINNED_INVOICE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) {
    invoice {
      id number issuingDate paymentDueDate createdAt
      customer { id }
      fees { id addOn { id } }
    }
    userErrors { field code message }
  }
}
"""
# What receivers parse and sign-check, so every byte is part of the published format: key
# order, no spaces, UTF-8 rather than \u escapes, decimals as strings, nulls kept. Only the
# ids, dates and number of this run are placeholders.
PINNED_BODY = (
    '{"webhook_type":"invoice.one_off_created","object_type":"invoice",'
    '"organization_id":"<organization_id>","invoice":{"id":"<invoice_id>","number":"<number>",'
    '"sequential_id":1,"invoice_type":"one_off","status":"finalized","payment_status":"pending",'
    '"currency":"EUR","issuing_date":"<issuing_date>","payment_due_date":"<payment_due_date>",'
    '"net_payment_term":30,"fees_amount_cents":1500,"coupons_amount_cents":0,'
    '"prepaid_credit_amount_cents":0,"sub_total_excluding_taxes_amount_cents":1500,'
    '"taxes_amount_cents":98,"sub_total_including_taxes_amount_cents":1598,'
    '"total_amount_cents":1598,"created_at":"<created_at>","payment_status_updated_at":null,'
    '"voided_at":null,"purchase_order_number":null,"note":null,"footer":null,'
    '"metadata":{"order":"ORD-ü 7","crm":""},"customer":{"id":"<customer_id>",'
    '"external_id":"cust-ü","sequential_id":2,"name":"Zoë \\"Q\\" Café",'
    '"email":"zoe@example.com","currency":"EUR","timezone":"Europe/Paris","country":"FR"},'
    '"fees":[{"id":"<fee_1_id>","add_on":{"id":"<add_on_id>","code":"setup","name":"Setup"},'
    '"units":"1.5","unit_amount_cents":"333.333333333333",'
    '"precise_amount_cents":"499.9999999999995","amount_cents":500,"taxes_amount_cents":98,'
    '"total_amount_cents":598,"currency":"EUR","description":null,'
    '"invoice_display_name":null,"invoice_name":"Setup",'
    '"from_datetime":"2026-10-31T23:00:00+00:00","to_datetime":"2026-11-30T22:59:59+00:00",'
    '"applied_taxes":[{"tax_code":"vat",'
    '"tax_name":"TVA é","tax_rate":"19.6","tax_category":"S","tax_exemption_reason":null,'
    '"tax_exemption_reason_code":null,"amount_cents":98}]},{"id":"<fee_2_id>",'
    '"add_on":{"id":"<add_on_id>","code":"setup","name":"Setup"},"units":"1",'
    '"unit_amount_cents":"1000","precise_amount_cents":"1000","amount_cents":1000,'
    '"taxes_amount_cents":0,"total_amount_cents":1000,"currency":"EUR","description":"Ünits",'
    '"invoice_display_name":"Two","invoice_name":"Two","from_datetime":null,'
    '"to_datetime":null,"applied_taxes":[]}],'
    '"applied_taxes":[{"tax_code":"vat","tax_name":"TVA é","tax_rate":"19.6",'
    '"tax_category":"S","tax_exemption_reason":null,"tax_exemption_reason_code":null,'
    '"taxable_base_amount_cents":500,"amount_cents":98}],'
    '"file_url":"http://127.0.0.1:8000/documents/invoices/<token>","e_invoice":{'
    '"available":false,"ubl_url":null,"problems":[{"code":"SELLER_LEGAL_NAME_MISSING",'
    '"message":"the organization had no legal name at issue (BT-27)"},'
    '{"code":"SELLER_ADDRESS_MISSING","message":"the organization had no full address at '
    'issue: line 1, city and country (BG-5)"},{"code":"SELLER_VAT_ID_MISSING","message":'
    '"the organization had no VAT identifier at issue (BT-31, BR-S-02)"},'
    '{"code":"FEE_WITHOUT_TAX","message":"fee 2 (Two) has no tax: every line of an '
    'e-invoice has a VAT category (BT-151); give it one, Z, E or O for instance"}]}}}'
)


def test_the_body_of_invoice_one_off_created_is_pinned_byte_for_byte(
    acme: Tenant, receiver: Receiver
) -> None:
    acme(
        'mutation { createTax(input: {code: "vat", name: "TVA é", rate: "19.6"}) '
        "{ userErrors { code } } }"
    )
    acme(
        'mutation { createCustomer(input: {externalId: "cust-ü", name: "Zoë \\"Q\\" Café", '
        'email: "zoe@example.com", timezone: "Europe/Paris", netPaymentTerm: 30, '
        'country: "FR", taxCodes: ["vat"]}) { userErrors { code } } }'
    )
    acme.endpoint(receiver.url)
    organization_id = acme("{ organization { id } }")["organization"]["id"]
    fees = [
        {
            "addOnCode": "setup",
            "units": "1.5",
            "unitAmountCents": "333.333333333333",
            # November in Paris, given with its offset: the body carries the UTC instants.
            "fromDatetime": "2026-11-01T00:00:00+01:00",
            "toDatetime": "2026-11-30T23:59:59+01:00",
        },
        {"addOnCode": "setup", "description": "Ünits", "invoiceDisplayName": "Two", "taxCodes": []},
    ]
    given = {
        "externalCustomerId": "cust-ü",
        "fees": fees,
        "metadata": {"order": "ORD-ü 7", "crm": ""},
    }
    payload = acme(PINNED_INVOICE, input=given)
    invoice = payload["createOneOffInvoice"]["invoice"]

    (request,) = receiver.wait_for(lambda requests: len(requests) >= 1)

    placeholders = {
        "organization_id": organization_id,
        "invoice_id": invoice["id"],
        "number": invoice["number"],
        "issuing_date": invoice["issuingDate"],
        "payment_due_date": invoice["paymentDueDate"],
        "created_at": invoice["createdAt"],
        "customer_id": invoice["customer"]["id"],
        "fee_1_id": invoice["fees"][0]["id"],
        "fee_2_id": invoice["fees"][1]["id"],
        "add_on_id": invoice["fees"][0]["addOn"]["id"],
    }
    assert len(set(placeholders.values())) == len(placeholders)
    body = request.body
    for name, value in placeholders.items():
        body = body.replace(json.dumps(value).encode(), f'"<{name}>"'.encode())
    # Document links are signed as the body is sent: their tokens differ at every attempt.
    body = re.sub(rb"/documents/invoices/[A-Za-z0-9_.-]+", b"/documents/invoices/<token>", body)
    assert body == PINNED_BODY.encode()
