"""createOneOffInvoice reports every error of a request in one answer, each at the path of an
input the request gave, and writes nothing (issue 8, items 7 and 9).

Errors come stage by stage: the input's own shape, then customer, add-ons, fee tax codes,
currency, unit amounts, and an amount out of range only when nothing else is wrong; within a
stage, in fee order.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlmodel import col, select

from models.billing.money import MAX_MINOR_UNITS
from models.catalog.customers import find_customer
from models.store import tables
from tests.conftest import Api
from tests.invoicing.test_create import Catalog, counts, create, ok

Found = list[tuple[str, list[str] | None]]


@pytest.fixture
async def catalog(api: Api) -> Catalog:
    return Catalog(api)


async def written(api: Api) -> tuple[dict[str, int], dict[str, str | None]]:
    """Rows of every invoice table and the event log, and each customer's currency."""
    async with api.db.read() as session:
        currencies = {
            row.id: row.currency
            for row in await session.exec(select(tables.Customer).order_by(col(tables.Customer.id)))
        }
    return await counts(api), currencies


async def refused(api: Api, **input: Any) -> Found:
    """The (code, field) of each error, in the answer's order; nothing may have been written."""
    before = await written(api)
    payload = await create(api, **input)
    assert payload["invoice"] is None
    assert payload["userErrors"], "expected a rejection"
    assert all(error["message"] for error in payload["userErrors"])
    assert await written(api) == before
    assert all(currency is None for currency in before[1].values())
    return [(error["code"], error["field"]) for error in payload["userErrors"]]


async def test_unknown_customer_unknown_add_on_and_negative_units_in_one_answer(
    api: Api, catalog: Catalog
) -> None:
    await catalog.customer("c1")
    await catalog.add_on("a", 100)
    assert await refused(
        api,
        customerId="nope",
        fees=[{"addOnCode": "a", "units": "-1"}, {"addOnCode": "missing"}],
    ) == [
        ("VALUE_OUT_OF_RANGE", ["fees", "0", "units"]),
        ("CUSTOMER_NOT_FOUND", ["customerId"]),
        ("ADD_ON_NOT_FOUND", ["fees", "1", "addOnCode"]),
    ]


async def test_unknown_tax_code_alongside_an_unknown_customer(api: Api, catalog: Catalog) -> None:
    await catalog.customer("c1")
    await catalog.tax("vat", "20")
    await catalog.add_on("a", 100)
    assert await refused(
        api,
        externalCustomerId="nope",
        fees=[{"addOnCode": "a"}, {"addOnCode": "a", "taxCodes": ["vat", "nope"]}],
    ) == [
        ("CUSTOMER_NOT_FOUND", ["externalCustomerId"]),
        ("TAX_NOT_FOUND", ["fees", "1", "taxCodes", "1"]),
    ]


async def test_an_unknown_add_on_has_no_currency_to_disagree_with(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("eur", 100, "EUR")
    await catalog.add_on("usd", 100, "USD")
    # Without the unknown add-on, EUR and USD would need a currency; with it, that is not known.
    assert await refused(
        api,
        customerId=customer,
        fees=[
            {"addOnCode": "eur"},
            {"addOnCode": "usd"},
            {"addOnCode": "missing", "units": "-1"},
        ],
    ) == [
        ("VALUE_OUT_OF_RANGE", ["fees", "2", "units"]),
        ("ADD_ON_NOT_FOUND", ["fees", "2", "addOnCode"]),
    ]


async def test_a_currency_mismatch_does_not_hang_on_the_add_ons(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1", currency="EUR")
    await catalog.add_on("usd", 100, "USD")
    before = await written(api)
    # The mismatch needs no add-on. With the invoice's currency in dispute, whether the USD
    # add-on needs a price is not known: only the mismatch is reported.
    payload = await create(
        api,
        customerId=customer,
        currency="USD",
        fees=[{"addOnCode": "missing"}, {"addOnCode": "usd"}],
    )
    assert payload["invoice"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("ADD_ON_NOT_FOUND", ["fees", "0", "addOnCode"]),
        ("CURRENCY_MISMATCH", ["currency"]),
    ]
    assert await written(api) == before


async def test_unit_amount_required_on_every_fee_that_needs_one(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    await catalog.add_on("b", 200, "EUR")
    # Fee 2 gave a price, a refused one: it is reported as refused, not as missing.
    assert await refused(
        api,
        customerId=customer,
        currency="USD",
        fees=[
            {"addOnCode": "a"},
            {"addOnCode": "b", "units": "2"},
            {"addOnCode": "a", "unitAmountCents": "-1"},
        ],
    ) == [
        ("VALUE_OUT_OF_RANGE", ["fees", "2", "unitAmountCents"]),
        ("UNIT_AMOUNT_REQUIRED", ["fees", "0", "unitAmountCents"]),
        ("UNIT_AMOUNT_REQUIRED", ["fees", "1", "unitAmountCents"]),
    ]


async def test_overflow_of_an_add_on_price_with_its_taxes_points_at_the_fee(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.tax("vat", "20", default=True)
    await catalog.add_on("max", MAX_MINOR_UNITS)
    before = await written(api)
    payload = await create(api, customerId=customer, fees=[{"addOnCode": "max"}])
    assert payload["userErrors"] == [
        {
            "code": "VALUE_OUT_OF_RANGE",
            "field": ["fees", "0"],
            "message": f"fee 0's amount with its taxes exceeds {MAX_MINOR_UNITS} minor units",
        }
    ]
    assert await written(api) == before


async def test_overflow_of_given_units_times_an_add_on_price_points_at_the_units(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("big", 2**62)
    assert await refused(
        api,
        customerId=customer,
        fees=[{"addOnCode": "big"}, {"addOnCode": "big", "units": "4", "taxCodes": []}],
    ) == [("VALUE_OUT_OF_RANGE", ["fees", "1", "units"])]


async def test_a_reused_key_on_an_invalid_request_reports_the_request_errors(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1", currency="EUR")
    await catalog.add_on("a", 100)
    await ok(api, customerId=customer, idempotencyKey="k1", fees=[{"addOnCode": "a"}])
    before = await written(api)
    payload = await create(
        api,
        customerId="nope",
        idempotencyKey="k1",
        fees=[{"addOnCode": "a", "units": "-1"}],
    )
    assert payload["invoice"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("VALUE_OUT_OF_RANGE", ["fees", "0", "units"]),
        ("CUSTOMER_NOT_FOUND", ["customerId"]),
    ]
    assert await written(api) == before


async def test_a_request_refused_on_its_shape_looks_up_the_catalog_without_write_locks(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    async with api.db.write() as session:
        # Held by another writer: the SQLite write lock, and the customer's row on PostgreSQL.
        assert await find_customer(session, catalog.org, customer_id=customer, for_update=True)
        payload = await asyncio.wait_for(
            create(
                api,
                customerId=customer,
                fees=[{"addOnCode": "a", "units": "-1"}, {"addOnCode": "missing"}],
            ),
            timeout=10,
        )
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("VALUE_OUT_OF_RANGE", ["fees", "0", "units"]),
        ("ADD_ON_NOT_FOUND", ["fees", "1", "addOnCode"]),
    ]
