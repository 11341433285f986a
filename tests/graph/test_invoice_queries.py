"""A page of invoices costs the same number of SQL statements whatever its size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from sqlalchemy import event

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.catalog.taxes import create_tax
from models.invoicing.create import create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from tests.conftest import Api

PAGE = """
query($first: Int) {
  invoices(first: $first) {
    totalCount
    nodes {
      number totalAmountCents
      customer { externalId taxes { code } }
      appliedTaxes { taxCode amountCents }
      fees { amountCents addOn { code taxes { code } } appliedTaxes { taxCode amountCents } }
    }
  }
}
"""


@contextmanager
def counting(api: Api) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engines = {api.db.read_engine.sync_engine, api.db.write_engine.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


async def test_statements_do_not_grow_with_the_page(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_tax(api.db, org, {"code": "eco", "name": "Eco", "rate": "5.5"})
    for index in range(4):
        await create_add_on(
            api.db,
            org,
            {
                "code": f"a{index}",
                "name": f"A{index}",
                "amount_cents": 100 + index,
                "amount_currency": "EUR",
                "tax_codes": ["eco"] if index % 2 else [],
            },
        )
    customers = [
        (await create_customer(api.db, org, {"external_id": f"c{index}", "tax_codes": ["vat"]})).id
        for index in range(10)
    ]
    for index in range(100):
        await create_one_off_invoice(
            api.db,
            org,
            OneOffInvoiceInput(
                customer_id=customers[index % 10],
                fees=[FeeInput(add_on_code=f"a{n}", units=None) for n in range(4)],
            ),
        )

    with counting(api) as small:
        one = await api(PAGE, first=1)
    with counting(api) as large:
        hundred = await api(PAGE, first=100)
    assert len(one["invoices"]["nodes"]) == 1
    assert len(hundred["invoices"]["nodes"]) == 100
    assert all(len(node["fees"]) == 4 for node in hundred["invoices"]["nodes"])
    assert len(large) == len(small), (small, large)
    # count + page + customers + customer taxes + applied taxes + fees + fee taxes + add-ons
    # + add-on taxes, plus the BEGINs of the sessions the loaders open.
    assert len([s for s in large if s.lstrip().upper().startswith("SELECT")]) == 9


async def _a_few_invoices(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_add_on(
        api.db, org, {"code": "a", "name": "A", "amount_cents": 250, "amount_currency": "EUR"}
    )
    customer = await create_customer(api.db, org, {"external_id": "c", "tax_codes": ["vat"]})
    for units in ("1", "2.5", "3"):
        await create_one_off_invoice(
            api.db,
            org,
            OneOffInvoiceInput(
                customer_id=customer.id,
                fees=[FeeInput(add_on_code="a", units=Decimal(units)), FeeInput(add_on_code="a")],
            ),
        )


async def test_a_page_that_does_not_select_total_count_does_not_count(api: Api) -> None:
    await _a_few_invoices(api)
    with counting(api) as statements:
        await api("{ invoices(first: 2) { nodes { number } } }")
    assert not [s for s in statements if "count(" in s.lower()], statements
    with counting(api) as statements:
        data = await api("{ invoices(first: 2) { totalCount } }")
    assert data["invoices"]["totalCount"] == 3
    assert [s for s in statements if "count(" in s.lower()]


FIELDS = """
fragment Lines on Invoice {
  fees { units amountCents appliedTaxes { taxCode amountCents } }
}
fragment Whole on Invoice {
  id number totalAmountCents ...Lines
  customer { externalId }
  ... on Invoice { appliedTaxes { taxCode taxableBaseAmountCents amountCents } }
}
"""


async def test_a_page_loaded_up_front_answers_what_each_invoice_reads_alone(api: Api) -> None:
    # Fields reached only through fragments are loaded with the page all the same, and
    # equal what the invoice query, which loads nothing up front, reads on demand.
    await _a_few_invoices(api)
    page = await api(FIELDS + "{ invoices(first: 10) { nodes { ...Whole } } }")
    nodes = page["invoices"]["nodes"]
    assert len(nodes) == 3
    for node in nodes:
        alone = await api(
            FIELDS + "query($id: ID!) { invoice(id: $id) { ...Whole } }", id=node["id"]
        )
        assert alone["invoice"] == node
    assert [fee["units"] for fee in nodes[-1]["fees"]] == ["1", "1"]
    assert nodes[0]["fees"][0]["appliedTaxes"][0]["taxCode"] == "vat"
