"""What an invoice reads of the catalog (models/catalog/invoice_catalog.py): one statement
for its add-ons, their taxes, the taxes its fees name and its customer's and organization's,
whatever the number of fees, and nothing of another organization."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from models.catalog.add_ons import create_add_on, delete_add_on
from models.catalog.customers import create_customer
from models.catalog.invoice_catalog import invoice_catalog
from models.catalog.taxes import create_tax
from tests.conftest import Api, MakeApi

pytestmark = pytest.mark.asyncio


async def _catalog(api: Api) -> dict[str, str]:
    """Taxes vat (default), eco, lux; add-ons a (vat, eco), b (none), gone (deleted); a
    customer with lux."""
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_tax(
        api.db, org, {"code": "eco", "name": "Eco", "rate": "1", "applied_to_organization": True}
    )
    await create_tax(api.db, org, {"code": "lux", "name": "Lux", "rate": "5"})
    ids = {}
    for code, taxes in (("a", ["vat", "eco"]), ("b", []), ("gone", [])):
        made = await create_add_on(
            api.db,
            org,
            {
                "code": code,
                "name": code.upper(),
                "amount_cents": 100,
                "amount_currency": "EUR",
                "tax_codes": taxes,
            },
        )
        ids[code] = made.id
    await delete_add_on(api.db, org, ids["gone"])
    customer = await create_customer(api.db, org, {"external_id": "c", "tax_codes": ["lux"]})
    ids["customer"] = customer.id
    return ids


async def test_one_query_reads_every_part(api: Api) -> None:
    ids = await _catalog(api)
    assert api.organization is not None
    async with api.db.read() as session:
        found = await invoice_catalog(
            session,
            api.organization.id,
            add_on_ids=[ids["b"], ids["gone"]],
            add_on_codes=["a", "nope"],
            tax_codes=["lux", "vat", "nope"],
            customer_id=ids["customer"],
        )
    assert sorted(a.code for a in found.add_ons) == ["a", "b"]
    assert {a.id: a.name for a in found.add_ons} == {ids["a"]: "A", ids["b"]: "B"}
    assert {k: [t.code for t in v] for k, v in found.taxes_of_add_ons.items()} == {
        ids["a"]: ["eco", "vat"],  # in code order
        ids["b"]: [],
    }
    assert [t.code for t in found.taxes_of_customer] == ["lux"]
    assert [t.code for t in found.defaults] == ["eco"]
    assert sorted(found.by_code) == ["lux", "vat"]
    assert str(found.by_code["vat"].rate) == "20"


async def test_another_organizations_catalog_reads_as_nothing(api: Api, make_api: MakeApi) -> None:
    ids = await _catalog(api)
    other = await make_api("Other")
    assert other.organization is not None
    async with api.db.read() as session:
        found = await invoice_catalog(
            session,
            other.organization.id,
            add_on_ids=[ids["a"]],
            add_on_codes=["a", "b"],
            tax_codes=["vat", "lux"],
            customer_id=ids["customer"],
        )
    assert (found.add_ons, found.taxes_of_add_ons) == ([], {})
    assert (found.taxes_of_customer, found.defaults, found.by_code) == ([], [], {})


@pytest.mark.parametrize("fees", [1, 3])
async def test_an_invoice_reads_the_catalog_in_one_statement(api: Api, fees: int) -> None:
    ids = await _catalog(api)
    selects: list[str] = []

    def seen(_c: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # The catalog's tables, read (the SELECTs of the outbox's webhook endpoints aside).
        if statement.lstrip().upper().startswith("SELECT") and " taxes" in statement:
            selects.append(statement)

    inputs = [
        {"addOnCode": "a", "taxCodes": ["lux"]},
        {"addOnId": ids["b"]},
        {"addOnCode": "a", "taxCodes": ["vat", "lux"]},
    ][:fees]
    engine = api.db.write_engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        data = await api(
            """mutation($c: ID!, $f: [OneOffFeeInput!]!) {
              createOneOffInvoice(input: {customerId: $c, fees: $f}) {
                invoice { fees { appliedTaxes { taxCode } } } userErrors { code } } }""",
            c=ids["customer"],
            f=inputs,
        )
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    created = data["createOneOffInvoice"]
    assert created["userErrors"] == []
    assert len(selects) == 1, selects
    codes = [
        sorted(t["taxCode"] for t in fee["appliedTaxes"]) for fee in created["invoice"]["fees"]
    ]
    # The fee's own codes, else the add-on's (b has none: the customer's).
    assert codes == [["lux"], ["lux"], ["lux", "vat"]][:fees]
