"""The outbox reader is pulled, not pushed: a listener that stops reading stops the reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.events.reader import PAGE, follow
from models.invoicing.create import FeeInput, OneOffInvoiceInput, create_one_off_invoice
from tests.conftest import Api


async def test_a_listener_holds_at_most_one_page_and_reads_only_when_asked(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    customer = await create_customer(api.db, org, {"external_id": "c"})
    await create_add_on(
        api.db, org, {"code": "a", "name": "A", "amount_cents": 1, "amount_currency": "EUR"}
    )
    for _ in range(PAGE + 50):
        await create_one_off_invoice(
            api.db,
            org,
            OneOffInvoiceInput(customer_id=customer.id, fees=[FeeInput(add_on_code="a")]),
        )
    pages: list[str] = []

    def record(*args: Any) -> None:
        if "FROM events" in args[2]:
            pages.append(args[2])

    event.listen(api.db.read_engine.sync_engine, "before_cursor_execute", record)
    try:
        events = follow(api.db, org, after=0, customer_id=None, poll_seconds=60)
        first = await anext(events)
        assert first[0].sequence == 1
        assert len(pages) == 1  # one page read, the rest left in the database
        sequences = [first[0].sequence] + [(await anext(events))[0].sequence for _ in range(PAGE)]
        assert len(pages) == 2  # the 101st event needed the second page, and only then
        assert sequences == list(range(1, PAGE + 2))
        await events.aclose()
    finally:
        event.remove(api.db.read_engine.sync_engine, "before_cursor_execute", record)
