"""After issue, through the API: payment status, void, their events, and their refusals
(rule 13, models/invoicing), on both engines."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import col, select

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.store import tables
from tests.conftest import Api, MakeApi
from tests.invoicing.making import customers_and_add_on, invoice

FIELDS = """id number status paymentStatus paymentStatusUpdatedAt voidedAt totalAmountCents
            createdAt"""
PAY = f"""
mutation($id: ID!, $status: PaymentStatus!) {{
  updateInvoicePaymentStatus(input: {{id: $id, paymentStatus: $status}}) {{
    invoice {{ {FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""
VOID = f"""
mutation($id: ID!) {{
  voidInvoice(id: $id) {{ invoice {{ {FIELDS} }} userErrors {{ field code message }} }}
}}
"""
READ = f"query($id: ID!) {{ invoice(id: $id) {{ {FIELDS} }} }}"


async def pay(api: Api, invoice_id: str, status: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(PAY, id=invoice_id, status=status))[
        "updateInvoicePaymentStatus"
    ]
    return payload


async def void(api: Api, invoice_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(VOID, id=invoice_id))["voidInvoice"]
    return payload


async def read(api: Api, invoice_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await api(READ, id=invoice_id))["invoice"]
    return found


async def events(api: Api) -> list[tables.Event]:
    async with api.db.read() as session:
        return list(await session.exec(select(tables.Event).order_by(col(tables.Event.sequence))))


def body(event: tables.Event) -> dict[str, Any]:
    """The invoice as the event's webhook body carries it."""
    invoice: dict[str, Any] = event.payload["invoice"]  # type: ignore[assignment]
    return invoice


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def issued(api: Api) -> str:
    (customer,) = await customers_and_add_on(api, "c")
    created: str = (await invoice(api, customer))["id"]
    return created


async def test_payment_status_moves_between_the_three_and_each_change_is_an_event(
    api: Api,
) -> None:
    invoice_id = await issued(api)
    before = await read(api, invoice_id)
    assert (before["paymentStatus"], before["paymentStatusUpdatedAt"]) == ("PENDING", None)

    seen = []
    for status in ("SUCCEEDED", "FAILED", "PENDING", "SUCCEEDED"):
        payload = await pay(api, invoice_id, status)
        assert payload["userErrors"] == []
        assert payload["invoice"]["paymentStatus"] == status
        seen.append(payload["invoice"]["paymentStatusUpdatedAt"])
        assert await read(api, invoice_id) == payload["invoice"]
    assert seen == sorted(seen)
    assert len(set(seen)) == 4

    recorded = await events(api)
    assert [e.webhook_type for e in recorded] == [
        "invoice.one_off_created",
        *["invoice.payment_status_updated"] * 4,
    ]
    assert [body(e)["payment_status"] for e in recorded] == [
        "pending",
        "succeeded",
        "failed",
        "pending",
        "succeeded",
    ]
    last = recorded[-1]
    assert last.object_id == invoice_id
    assert body(last)["number"] == before["number"]
    assert body(last)["fees"][0]["add_on"]["code"] == "a"
    # The change's instant, as the API and the event both give it.
    assert body(last)["payment_status_updated_at"] is not None
    assert last.occurred_at.isoformat() == body(last)["payment_status_updated_at"]
    assert [e.sequence for e in recorded] == [1, 2, 3, 4, 5]


async def test_the_status_it_already_has_changes_nothing_and_emits_nothing(api: Api) -> None:
    invoice_id = await issued(api)
    await pay(api, invoice_id, "FAILED")
    after_first = await read(api, invoice_id)
    payload = await pay(api, invoice_id, "FAILED")
    assert payload["userErrors"] == []
    assert payload["invoice"] == after_first
    assert len(await events(api)) == 2


async def test_void_keeps_the_number_and_amounts_and_numbering_goes_on_without_reuse(
    api: Api,
) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    first = await invoice(api, customer)
    before = await read(api, first["id"])
    payload = await void(api, first["id"])
    assert payload["userErrors"] == []
    voided = payload["invoice"]
    assert voided["status"] == "VOIDED"
    assert voided["voidedAt"] is not None
    assert voided["paymentStatus"] == "PENDING"
    for same in ("number", "totalAmountCents", "createdAt"):
        assert voided[same] == before[same]
    assert await read(api, first["id"]) == voided

    second = await invoice(api, customer)
    assert second["number"] != first["number"]
    assert second["number"][-3:] == "002"

    recorded = await events(api)
    assert [e.webhook_type for e in recorded] == [
        "invoice.one_off_created",
        "invoice.voided",
        "invoice.one_off_created",
    ]
    assert body(recorded[1])["status"] == "voided"
    assert body(recorded[1])["voided_at"] == recorded[1].occurred_at.isoformat()


async def test_a_failed_invoice_can_be_voided_a_paid_or_voided_one_cannot(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    failed, paid, voided = [(await invoice(api, customer))["id"] for _ in range(3)]
    await pay(api, failed, "FAILED")
    await pay(api, paid, "SUCCEEDED")
    await void(api, voided)
    count = len(await events(api))

    assert (await void(api, failed))["invoice"]["status"] == "VOIDED"
    for refused in (paid, voided):
        payload = await void(api, refused)
        assert payload["invoice"] is None
        assert codes(payload) == [("INVOICE_NOT_VOIDABLE", ["id"])]
    for status in ("SUCCEEDED", "FAILED", "PENDING"):
        payload = await pay(api, voided, status)
        assert payload["invoice"] is None
        assert codes(payload) == [("INVOICE_VOIDED", ["id"])]
    # One event for the one void that happened; none for the refusals.
    assert len(await events(api)) == count + 1
    assert (await read(api, paid))["status"] == "FINALIZED"


async def test_an_invoice_with_nothing_to_pay_is_paid_at_issue_and_not_voidable(
    api: Api,
) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_add_on(
        api.db, org, {"code": "free", "name": "Free", "amount_cents": 0, "amount_currency": "EUR"}
    )
    customer = (await create_customer(api.db, org, {"external_id": "c"})).id
    created = await invoice(api, customer, add_on="free")
    assert (await read(api, created["id"]))["paymentStatus"] == "SUCCEEDED"
    assert codes(await void(api, created["id"])) == [("INVOICE_NOT_VOIDABLE", ["id"])]


async def test_unknown_and_foreign_invoices_read_as_not_found_and_nothing_is_written(
    api: Api, make_api: MakeApi
) -> None:
    theirs = await issued(await make_api("Other"))
    mine = await issued(api)
    before = await events(api)
    for invoice_id in (theirs, "00000000-0000-0000-0000-000000000000", "not-an-id", ""):
        assert codes(await pay(api, invoice_id, "SUCCEEDED")) == [("INVOICE_NOT_FOUND", ["id"])]
        assert codes(await void(api, invoice_id)) == [("INVOICE_NOT_FOUND", ["id"])]
    assert len(await events(api)) == len(before)
    assert (await read(api, mine))["paymentStatus"] == "PENDING"
    async with api.db.read() as session:
        row = (await session.exec(select(tables.Invoice).where(tables.Invoice.id == theirs))).one()
    assert (row.status, row.payment_status, row.voided_at) == ("FINALIZED", "PENDING", None)


async def test_concurrent_payment_updates_apply_one_after_the_other(api: Api) -> None:
    invoice_id = await issued(api)
    asked = ["SUCCEEDED", "FAILED", "PENDING", "FAILED", "SUCCEEDED", "SUCCEEDED"] * 3
    answers = await asyncio.gather(*(pay(api, invoice_id, status) for status in asked))
    assert all(a["userErrors"] == [] for a in answers)
    assert [a["invoice"]["paymentStatus"] for a in answers] == asked

    final = await read(api, invoice_id)
    changes = [e for e in await events(api) if e.webhook_type != "invoice.one_off_created"]
    statuses = [body(e)["payment_status"] for e in changes]
    # Each event is a change from the one before it, and the last tells the final state.
    assert statuses
    assert all(a != b for a, b in zip(["pending", *statuses], statuses, strict=False))
    assert statuses[-1] == final["paymentStatus"].lower()
    assert body(changes[-1])["payment_status_updated_at"] == (final["paymentStatusUpdatedAt"])


async def test_concurrent_void_and_payment_one_wins_and_the_events_agree(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    winners = set()
    for round_ in range(6):
        invoice_id = (await invoice(api, customer))["id"]
        racers = [void(api, invoice_id), pay(api, invoice_id, "SUCCEEDED")]
        if round_ % 2:
            racers.reverse()
        answers = await asyncio.gather(*racers)
        voided, paid = answers if round_ % 2 == 0 else answers[::-1]
        final = await read(api, invoice_id)
        mine = [e for e in await events(api) if e.object_id == invoice_id]
        kinds = [e.webhook_type for e in mine[1:]]
        if voided["invoice"] is not None:
            winners.add("void")
            assert codes(paid) == [("INVOICE_VOIDED", ["id"])]
            assert (final["status"], final["paymentStatus"]) == ("VOIDED", "PENDING")
            assert kinds == ["invoice.voided"]
        else:
            winners.add("payment")
            assert codes(voided) == [("INVOICE_NOT_VOIDABLE", ["id"])]
            assert paid["userErrors"] == []
            assert (final["status"], final["paymentStatus"]) == ("FINALIZED", "SUCCEEDED")
            assert kinds == ["invoice.payment_status_updated"]
        last = body(mine[-1])
        assert (last["status"], last["payment_status"]) == (
            final["status"].lower(),
            final["paymentStatus"].lower(),
        )
    assert winners  # which one wins is the database's call; both outcomes are checked above
