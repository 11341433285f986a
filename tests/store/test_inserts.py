"""Rows of several tables inserted together (models/store/inserts.py): one statement on
PostgreSQL, the invoice's event and its NOTIFY included, one per table on SQLite, and the
same rows either way."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from models.catalog.taxes import create_tax
from models.store import inserts as store_inserts
from models.store import tables
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on

pytestmark = pytest.mark.asyncio

CREATE = """mutation($c: ID!) { createOneOffInvoice(input: {customerId: $c, fees: [
  {addOnCode: "a", units: "3", taxCodes: ["vat", "eco"]}, {addOnCode: "a", unitAmountCents: "0.5"},
  {addOnCode: "a", units: "2", taxCodes: ["vat"]}]}) {
  invoice { id totalAmountCents } userErrors { code } } }"""


@pytest.mark.parametrize("too_many", [False, True], ids=["small", "past-the-limit"])
async def test_an_invoices_rows_go_in_one_statement_on_postgresql(
    api: Api, monkeypatch: pytest.MonkeyPatch, too_many: bool
) -> None:
    if too_many:  # as if the invoice had thousands of fee taxes
        monkeypatch.setattr(store_inserts, "MAX_VALUES_TOGETHER", 10)
    assert api.organization is not None
    (customer,) = await customers_and_add_on(api, "c")
    for code, rate in (("vat", "20"), ("eco", "0.5")):
        await create_tax(api.db, api.organization.id, {"code": code, "name": code, "rate": rate})
    inserts: list[str] = []

    def seen(_c: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if "INSERT INTO" in statement:
            inserts.append(statement)

    event.listen(api.db.write_engine.sync_engine, "before_cursor_execute", seen)
    try:
        created = (await api(CREATE, c=customer))["createOneOffInvoice"]
    finally:
        event.remove(api.db.write_engine.sync_engine, "before_cursor_execute", seen)

    assert created["userErrors"] == []
    parts = ("invoices", "fees", "fee_applied_taxes", "invoice_applied_taxes")
    together = [s for s in inserts if all(f"INSERT INTO {table} " in s for table in parts)]
    with_event = [s for s in inserts if "INSERT INTO events " in s]
    assert len(with_event) == 1
    if api.db.dialect == "postgresql" and not too_many:
        assert together == with_event
        assert "INSERT INTO webhook_deliveries " in together[0]
        assert "pg_notify" in together[0]
        assert len(inserts) == 1
    else:
        assert together == []
        assert len([s for s in inserts if s.startswith("INSERT INTO fee")]) == 2
        # Past the limit on PostgreSQL, the event goes alone after the rows.
        assert not any("INSERT INTO invoices " in s for s in with_event)
    async with api.db.read() as session:
        invoice_id = created["invoice"]["id"]
        counts = [
            await session.scalar(
                select(func.count()).select_from(model).where(model.invoice_id == invoice_id)
            )
            for model in (tables.Fee, tables.FeeAppliedTax, tables.InvoiceAppliedTax)
        ]
        events = await session.scalar(
            select(func.count())
            .select_from(tables.Event)
            .where(tables.Event.object_id == invoice_id)
        )
    assert counts == [3, 3, 2]
    assert events == 1
