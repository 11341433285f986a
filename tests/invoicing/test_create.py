"""createOneOffInvoice through the API, rule by rule (the rules of models/invoicing)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any, Unpack

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from models.catalog.add_ons import AddOnFields, create_add_on, delete_add_on
from models.catalog.customers import CustomerFields, create_customer
from models.catalog.taxes import create_tax
from models.invoicing.create import create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.invoicing.rows import InvoiceRow
from models.organizations.organizations import update_organization
from models.store import tables
from tests.conftest import Api, MakeApi

INVOICE_FIELDS = """
  id number sequentialId invoiceType status paymentStatus currency issuingDate paymentDueDate
  feesAmountCents couponsAmountCents prepaidCreditAmountCents subTotalExcludingTaxesAmountCents
  taxesAmountCents subTotalIncludingTaxesAmountCents totalAmountCents createdAt
  customer { id externalId currency }
  fees { id units unitAmountCents amountCents preciseAmountCents description invoiceDisplayName
         invoiceName taxesAmountCents totalAmountCents addOn { code }
         appliedTaxes { taxCode taxName taxRate amountCents } }
  appliedTaxes { taxCode taxName taxRate taxableBaseAmountCents amountCents }
"""

CREATE = f"""
mutation($input: CreateOneOffInvoiceInput!) {{
  createOneOffInvoice(input: $input) {{
    invoice {{ {INVOICE_FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""


class Catalog:
    def __init__(self, api: Api) -> None:
        self.api = api
        assert api.organization is not None
        self.org = api.organization.id

    async def tax(self, code: str, rate: str, *, default: bool = False) -> None:
        await create_tax(
            self.api.db,
            self.org,
            {"code": code, "name": code.upper(), "rate": rate, "applied_to_organization": default},
        )

    async def add_on(
        self, code: str, /, amount: int, currency: str = "EUR", **more: Unpack[AddOnFields]
    ) -> str:
        row = await create_add_on(
            self.api.db,
            self.org,
            {
                "code": code,
                "name": code.title(),
                "amount_cents": amount,
                "amount_currency": currency,
                **more,
            },
        )
        return row.id

    async def customer(self, external_id: str, /, **more: Unpack[CustomerFields]) -> str:
        row = await create_customer(self.api.db, self.org, {"external_id": external_id, **more})
        return row.id


@pytest.fixture
async def catalog(api: Api) -> Catalog:
    return Catalog(api)


async def create(api: Api, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(CREATE, input=input))["createOneOffInvoice"]
    return payload


async def ok(api: Api, **input: Any) -> dict[str, Any]:
    payload = await create(api, **input)
    assert payload["userErrors"] == [], payload["userErrors"]
    invoice: dict[str, Any] = payload["invoice"]
    return invoice


async def counts(api: Api) -> dict[str, int]:
    found: dict[str, int] = {}
    async with api.db.read() as session:
        for table in (
            tables.Invoice,
            tables.Fee,
            tables.FeeAppliedTax,
            tables.InvoiceAppliedTax,
            tables.Event,
        ):
            count = await session.scalar(select(func.count()).select_from(table))
            assert count is not None
            found[table.__tablename__] = count
    return found


async def rejected(api: Api, code: str, field: list[str] | None, **input: Any) -> None:
    """The request fails with this code at this path, and writes nothing at all."""
    before = await counts(api)
    payload = await create(api, **input)
    assert payload["invoice"] is None
    assert {"code": code, "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert await counts(api) == before


# Rule 1 — one to a hundred fees, the same add-on possibly several times.


async def test_rule1_empty_fee_list_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await rejected(api, "REQUIRED", ["fees"], customerId=customer, fees=[])


async def test_rule1_more_than_100_fees_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    await rejected(
        api, "VALUE_OUT_OF_RANGE", ["fees"], customerId=customer, fees=[{"addOnCode": "a"}] * 101
    )


async def test_rule1_same_add_on_many_times_and_exactly_100_fees(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}] * 100)
    assert len(invoice["fees"]) == 100
    assert invoice["feesAmountCents"] == "10000"


# Rule 2 — customer and add-ons by id or by their own code.


async def test_rule2_unknown_customer(api: Api, catalog: Catalog) -> None:
    await catalog.add_on("a", 100)
    await rejected(
        api, "CUSTOMER_NOT_FOUND", ["customerId"], customerId="nope", fees=[{"addOnCode": "a"}]
    )
    await rejected(
        api,
        "CUSTOMER_NOT_FOUND",
        ["externalCustomerId"],
        externalCustomerId="nope",
        fees=[{"addOnCode": "a"}],
    )


async def test_rule2_missing_customer_reference(api: Api, catalog: Catalog) -> None:
    await catalog.add_on("a", 100)
    await rejected(api, "REQUIRED", ["customerId"], fees=[{"addOnCode": "a"}])


async def test_rule2_customer_of_another_organization(
    api: Api, catalog: Catalog, make_api: MakeApi
) -> None:
    other = Catalog(await make_api("Other"))
    foreign_customer = await other.customer("theirs")
    await catalog.add_on("a", 100)
    await rejected(
        api,
        "CUSTOMER_NOT_FOUND",
        ["customerId"],
        customerId=foreign_customer,
        fees=[{"addOnCode": "a"}],
    )


async def test_rule2_unknown_deleted_or_foreign_add_on(
    api: Api, catalog: Catalog, make_api: MakeApi
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("live", 100)
    gone = await catalog.add_on("gone", 100)
    await delete_add_on(api.db, catalog.org, gone)
    other = Catalog(await make_api("Other"))
    foreign = await other.add_on("theirs", 100)
    await rejected(
        api,
        "ADD_ON_NOT_FOUND",
        ["fees", "1", "addOnCode"],
        customerId=customer,
        fees=[{"addOnCode": "live"}, {"addOnCode": "missing"}],
    )
    await rejected(
        api,
        "ADD_ON_NOT_FOUND",
        ["fees", "0", "addOnId"],
        customerId=customer,
        fees=[{"addOnId": gone}],
    )
    await rejected(
        api,
        "ADD_ON_NOT_FOUND",
        ["fees", "0", "addOnCode"],
        customerId=customer,
        fees=[{"addOnCode": "gone"}],
    )
    await rejected(
        api,
        "ADD_ON_NOT_FOUND",
        ["fees", "0", "addOnId"],
        customerId=customer,
        fees=[{"addOnId": foreign}],
    )
    await rejected(
        api, "REQUIRED", ["fees", "0", "addOnId"], customerId=customer, fees=[{"units": "1"}]
    )


async def test_rule2_by_external_id_and_code(api: Api, catalog: Catalog) -> None:
    await catalog.customer("ext-1", currency="EUR")
    await catalog.add_on("a", 250)
    invoice = await ok(api, externalCustomerId="ext-1", fees=[{"addOnCode": "a"}])
    assert invoice["customer"]["externalId"] == "ext-1"
    assert invoice["fees"][0]["addOn"] == {"code": "a"}


# Rule 3 — the currency.


async def test_rule3_input_currency_is_taken_by_a_customer_without_one(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    invoice = await ok(
        api,
        customerId=customer,
        currency="USD",
        fees=[{"addOnCode": "a", "unitAmountCents": "500"}],
    )
    assert invoice["currency"] == "USD"
    assert invoice["customer"]["currency"] == "USD"


async def test_rule3_customer_currency_is_the_default(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1", currency="USD")
    await catalog.add_on("a", 100, "EUR")
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a", "unitAmountCents": 7}])
    assert invoice["currency"] == "USD"


async def test_rule3_add_on_currency_when_nothing_else(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "JPY")
    await catalog.add_on("b", 200, "JPY")
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}, {"addOnCode": "b"}])
    assert invoice["currency"] == "JPY"
    assert invoice["customer"]["currency"] == "JPY"


async def test_rule3_mixed_add_on_currencies_need_a_currency(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("eur", 100, "EUR")
    await catalog.add_on("usd", 100, "USD")
    await rejected(
        api,
        "CURRENCY_REQUIRED",
        ["currency"],
        customerId=customer,
        fees=[{"addOnCode": "eur"}, {"addOnCode": "usd"}],
    )


async def test_rule3_currency_unlike_the_customers(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1", currency="EUR")
    await catalog.add_on("a", 100, "EUR")
    await rejected(
        api,
        "CURRENCY_MISMATCH",
        ["currency"],
        customerId=customer,
        currency="USD",
        fees=[{"addOnCode": "a", "unitAmountCents": 1}],
    )


async def test_rule3_currency_not_iso_4217_writes_nothing(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    before = await counts(api)
    result = await api.raw(
        CREATE, input={"customerId": customer, "currency": "EURO", "fees": [{"addOnCode": "a"}]}
    )
    assert result.errors is not None
    assert "at .currency" in result.errors[0].message
    assert await counts(api) == before


async def test_rule3_a_failed_first_invoice_leaves_the_customer_currency_unset(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    await rejected(
        api,
        "TAX_NOT_FOUND",
        ["fees", "0", "taxCodes", "0"],
        customerId=customer,
        fees=[{"addOnCode": "a", "taxCodes": ["nope"]}],
    )
    async with api.db.read() as session:
        row = await session.get(tables.Customer, customer)
    assert row is not None
    assert row.currency is None


# Rule 4 — a null price is the add-on's only in the add-on's own currency.


async def test_rule4_null_price_takes_the_add_on_price(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 1234, "EUR")
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a", "units": 2}])
    assert invoice["fees"][0]["unitAmountCents"] == "1234"
    assert invoice["feesAmountCents"] == "2468"


async def test_rule4_null_price_in_another_currency_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1", currency="USD")
    await catalog.add_on("a", 1234, "EUR")
    await rejected(
        api,
        "UNIT_AMOUNT_REQUIRED",
        ["fees", "0", "unitAmountCents"],
        customerId=customer,
        fees=[{"addOnCode": "a"}],
    )


async def test_rule4_zero_is_a_valid_price(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 1234, "EUR")
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a", "unitAmountCents": 0}])
    assert invoice["totalAmountCents"] == "0"


# Rule 5 — units and prices: decimals, sub-cent prices, half-up, limits.


async def test_rule5_sub_cent_prices_round_half_up(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 0, "EUR", tax_codes=[])
    invoice = await ok(
        api,
        customerId=customer,
        fees=[
            {"addOnCode": "a", "units": "3", "unitAmountCents": "0.333", "taxCodes": []},
            {"addOnCode": "a", "units": "1", "unitAmountCents": "2.5", "taxCodes": []},
            {"addOnCode": "a", "units": 0.5, "unitAmountCents": "5", "taxCodes": []},
        ],
    )
    fees = invoice["fees"]
    assert [f["preciseAmountCents"] for f in fees] == ["0.999", "2.5", "2.5"]
    assert [f["amountCents"] for f in fees] == ["1", "3", "3"]
    assert invoice["feesAmountCents"] == "7"


async def test_rule5_units_default_to_one(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 999, "EUR")
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    assert invoice["fees"][0]["units"] == "1"


@pytest.mark.parametrize(
    ("fee", "code", "field"),
    [
        ({"units": "-1"}, "VALUE_OUT_OF_RANGE", "units"),
        ({"unitAmountCents": "-0.01"}, "VALUE_OUT_OF_RANGE", "unitAmountCents"),
        ({"units": "0.0000000000001"}, "INVALID_VALUE", "units"),
        ({"unitAmountCents": "1.0000000000001"}, "INVALID_VALUE", "unitAmountCents"),
        ({"unitAmountCents": str(2**63)}, "VALUE_OUT_OF_RANGE", "unitAmountCents"),
        ({"units": "1e30"}, "VALUE_OUT_OF_RANGE", "units"),
        ({"units": "4", "unitAmountCents": str(2**62)}, "VALUE_OUT_OF_RANGE", "unitAmountCents"),
        ({"description": "d" * 1001}, "TOO_LONG", "description"),
        ({"invoiceDisplayName": "n" * 256}, "TOO_LONG", "invoiceDisplayName"),
    ],
)
async def test_rule5_bad_amounts_are_refused(
    api: Api, catalog: Catalog, fee: dict[str, Any], code: str, field: str
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    await rejected(
        api,
        code,
        ["fees", "1", field],
        customerId=customer,
        fees=[{"addOnCode": "a"}, {"addOnCode": "a", **fee}],
    )


async def test_rule5_overflow_of_the_sum_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    half = str(2**62)
    await rejected(
        api,
        "VALUE_OUT_OF_RANGE",
        ["fees"],
        customerId=customer,
        fees=[{"addOnCode": "a", "unitAmountCents": half, "taxCodes": []}] * 2,
    )


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "abc"])
async def test_rule5_non_finite_numbers_are_graphql_errors(
    api: Api, catalog: Catalog, value: str
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, "EUR")
    before = await counts(api)
    result = await api.raw(
        CREATE, input={"customerId": customer, "fees": [{"addOnCode": "a", "units": value}]}
    )
    assert result.errors is not None
    assert "units" in result.errors[0].message
    assert await counts(api) == before


# Rule 6 — description and display name.


async def test_rule6_description_and_display_name_fallbacks(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("plain", 100, description="Plain add-on")
    await catalog.add_on("fancy", 100, invoice_display_name="Fancy on invoice")
    invoice = await ok(
        api,
        customerId=customer,
        fees=[
            {"addOnCode": "plain"},
            {"addOnCode": "fancy"},
            {"addOnCode": "fancy", "invoiceDisplayName": "Custom", "description": "Mine"},
        ],
    )
    fees = invoice["fees"]
    assert [f["description"] for f in fees] == ["Plain add-on", None, "Mine"]
    assert [f["invoiceName"] for f in fees] == ["Plain", "Fancy on invoice", "Custom"]
    assert [f["invoiceDisplayName"] for f in fees] == [None, None, "Custom"]


# Rule 7 — which taxes, and how much.


async def test_rule7_tax_precedence(api: Api, catalog: Catalog) -> None:
    await catalog.tax("org", "10", default=True)
    await catalog.tax("cust", "20")
    await catalog.tax("addon", "5")
    await catalog.tax("fee", "1")
    plain = await catalog.customer("plain")
    taxed = await catalog.customer("taxed", tax_codes=["cust"])
    await catalog.add_on("bare", 1000)
    await catalog.add_on("taxed", 1000, tax_codes=["addon"])

    def codes(invoice: dict[str, Any]) -> list[list[str]]:
        return [[t["taxCode"] for t in fee["appliedTaxes"]] for fee in invoice["fees"]]

    invoice = await ok(
        api,
        customerId=plain,
        fees=[
            {"addOnCode": "bare"},
            {"addOnCode": "taxed"},
            {"addOnCode": "taxed", "taxCodes": ["fee"]},
            {"addOnCode": "taxed", "taxCodes": []},
        ],
    )
    assert codes(invoice) == [["org"], ["addon"], ["fee"], []]
    invoice = await ok(api, customerId=taxed, fees=[{"addOnCode": "bare"}, {"addOnCode": "taxed"}])
    assert codes(invoice) == [["cust"], ["addon"]]


async def test_rule7_unknown_tax_code(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.tax("vat", "20")
    await catalog.add_on("a", 100)
    await rejected(
        api,
        "TAX_NOT_FOUND",
        ["fees", "0", "taxCodes", "1"],
        customerId=customer,
        fees=[{"addOnCode": "a", "taxCodes": ["vat", "nope"]}],
    )


async def test_rule7_largest_remainder_keeps_every_sum_to_the_cent(
    api: Api, catalog: Catalog
) -> None:
    # Three fees of 25 at 10%: 2.5 each, 7.5 in all -> 8 on the invoice, split 3/3/2.
    # Rounding per fee would give 3 × 3 = 9, a cent more than the invoice's tax.
    customer = await catalog.customer("c1")
    await catalog.tax("vat10", "10")
    await catalog.add_on("a", 25, tax_codes=["vat10"])
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}] * 3)
    assert [f["taxesAmountCents"] for f in invoice["fees"]] == ["3", "3", "2"]
    assert invoice["appliedTaxes"] == [
        {
            "taxCode": "vat10",
            "taxName": "VAT10",
            "taxRate": "10",
            "taxableBaseAmountCents": "75",
            "amountCents": "8",
        }
    ]
    assert invoice["taxesAmountCents"] == "8"
    assert invoice["totalAmountCents"] == "83"


# Rule 8 — totals; the worked example checked by hand.


async def test_rule8_worked_example(api: Api, catalog: Catalog) -> None:
    """Checked by hand:

    fee 0: 2 × 1049 = 2098, VAT 20% + ECO 5.5%
    fee 1: 1.5 × 333 = 499.5 -> 500, VAT 20%
    fee 2: 3 × 0.333 = 0.999 -> 1, ECO 5.5% + EXEMPT 0%
    fees = 2599
    VAT: 419.6 + 100.0 = 519.6 -> 520; floors 419 + 100, the cent to fee 0 -> 420, 100
    ECO: 115.39 + 0.055 = 115.445 -> 115; floors 115 + 0 -> 115, 0
    EXEMPT: 0
    taxes = 635, total = 3234; fee totals 2098+535=2633, 500+100=600, 1+0=1
    """
    customer = await catalog.customer("c1", currency="EUR")
    await catalog.tax("vat", "20")
    await catalog.tax("eco", "5.5")
    await catalog.tax("exempt", "0")
    await catalog.add_on("a", 0)
    invoice = await ok(
        api,
        customerId=customer,
        fees=[
            {"addOnCode": "a", "units": "2", "unitAmountCents": "1049", "taxCodes": ["vat", "eco"]},
            {"addOnCode": "a", "units": "1.5", "unitAmountCents": "333", "taxCodes": ["vat"]},
            {
                "addOnCode": "a",
                "units": "3",
                "unitAmountCents": "0.333",
                "taxCodes": ["eco", "exempt"],
            },
        ],
    )
    assert [f["amountCents"] for f in invoice["fees"]] == ["2098", "500", "1"]
    assert [[t["amountCents"] for t in f["appliedTaxes"]] for f in invoice["fees"]] == [
        ["420", "115"],
        ["100"],
        ["0", "0"],
    ]
    assert [f["totalAmountCents"] for f in invoice["fees"]] == ["2633", "600", "1"]
    assert [
        (t["taxCode"], t["taxableBaseAmountCents"], t["amountCents"])
        for t in invoice["appliedTaxes"]
    ] == [("vat", "2598", "520"), ("eco", "2099", "115"), ("exempt", "1", "0")]
    assert invoice["feesAmountCents"] == "2599"
    assert invoice["subTotalExcludingTaxesAmountCents"] == "2599"
    assert invoice["taxesAmountCents"] == "635"
    assert invoice["subTotalIncludingTaxesAmountCents"] == "3234"
    assert invoice["totalAmountCents"] == "3234"
    assert invoice["couponsAmountCents"] == "0"
    assert invoice["prepaidCreditAmountCents"] == "0"


async def test_rule8_zero_and_three_digit_currencies(api: Api, catalog: Catalog) -> None:
    await catalog.tax("jp", "10")
    await catalog.tax("kw", "5")
    yen = await catalog.customer("yen", currency="JPY")
    dinar = await catalog.customer("dinar", currency="KWD")
    await catalog.add_on("yen", 693, "JPY", tax_codes=["jp"])
    await catalog.add_on("dinar", 24690, "KWD", tax_codes=["kw"])
    invoice = await ok(api, customerId=yen, fees=[{"addOnCode": "yen", "units": "1"}])
    # ¥693 × 10% = 69.3 -> ¥69: no minor unit to round into.
    assert (invoice["taxesAmountCents"], invoice["totalAmountCents"]) == ("69", "762")
    invoice = await ok(api, customerId=dinar, fees=[{"addOnCode": "dinar"}])
    # 24.690 KWD × 5% = 1234.5 fils -> 1235 fils; total 25.925 KWD.
    assert (invoice["taxesAmountCents"], invoice["totalAmountCents"]) == ("1235", "25925")


# Rule 9 — issued at once, dated in the customer's timezone.


async def test_rule9_status_and_payment_status(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    paid = await ok(api, customerId=customer, fees=[{"addOnCode": "a", "unitAmountCents": 0}])
    due = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    assert (paid["invoiceType"], paid["status"], paid["paymentStatus"]) == (
        "ONE_OFF",
        "FINALIZED",
        "SUCCEEDED",
    )
    assert due["paymentStatus"] == "PENDING"


async def test_rule9_issuing_date_in_customer_timezone_and_due_date(
    api: Api, catalog: Catalog
) -> None:
    assert api.organization is not None
    await update_organization(
        api.db, catalog.org, {"net_payment_term": 30, "timezone": "Asia/Tokyo"}
    )
    la = await catalog.customer("la", timezone="America/Los_Angeles", net_payment_term=15)
    org_tz = await catalog.customer("tokyo")
    await catalog.add_on("a", 100)
    one_am_utc = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)

    async def issue(customer_id: str) -> tables.Invoice | InvoiceRow:
        created = await create_one_off_invoice(
            api.db,
            catalog.org,
            OneOffInvoiceInput(customer_id=customer_id, fees=[FeeInput(add_on_code="a")]),
            now=one_am_utc,
        )
        return created.invoice

    invoice = await issue(la)
    assert invoice.issuing_date == date(2026, 3, 9)
    assert invoice.payment_due_date == date(2026, 3, 24)
    invoice = await issue(org_tz)
    assert invoice.issuing_date == date(2026, 3, 10)
    assert invoice.payment_due_date == date(2026, 4, 9)


# Rule 10 — numbers.


async def test_rule10_per_customer_numbering(api: Api, catalog: Catalog) -> None:
    await update_organization(api.db, catalog.org, {"document_number_prefix": "acm"})
    first = await catalog.customer("first")
    second = await catalog.customer("second")
    await catalog.add_on("a", 100)
    numbers = [
        (await ok(api, customerId=customer, fees=[{"addOnCode": "a"}]))["number"]
        for customer in (first, first, second, first)
    ]
    assert numbers == ["ACM-001-001", "ACM-001-002", "ACM-002-001", "ACM-001-003"]


async def test_rule10_per_organization_numbering(api: Api, catalog: Catalog) -> None:
    await update_organization(
        api.db,
        catalog.org,
        {
            "document_number_prefix": "ORG",
            "document_numbering": "PER_ORGANIZATION",
            "timezone": "Pacific/Auckland",
        },
    )
    first = await catalog.customer("first")
    second = await catalog.customer("second")
    await catalog.add_on("a", 100)
    now = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)  # already February in Auckland
    numbers = []
    for customer in (first, second, first):
        created = await create_one_off_invoice(
            api.db,
            catalog.org,
            OneOffInvoiceInput(customer_id=customer, fees=[FeeInput(add_on_code="a")]),
            now=now,
        )
        numbers.append(created.invoice.number)
    assert numbers == ["ORG-202602-001", "ORG-202602-002", "ORG-202602-003"]


async def test_rule10_concurrent_creates_are_gapless(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    invoices = await asyncio.gather(
        *(ok(api, customerId=customer, fees=[{"addOnCode": "a"}]) for _ in range(30))
    )
    assert sorted(invoice["sequentialId"] for invoice in invoices) == list(range(1, 31))
    assert len({invoice["number"] for invoice in invoices}) == 30


# Rule 11 — idempotency.


async def test_rule11_same_key_same_input_is_one_invoice(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    request = {
        "customerId": customer,
        "idempotencyKey": "k1",
        "fees": [{"addOnCode": "a", "units": "1.0"}],
    }
    first = await ok(api, **request)
    again = await ok(api, **{**request, "fees": [{"addOnCode": "a", "units": 1}]})
    assert again == first
    assert (await counts(api))["invoices"] == 1
    assert (await counts(api))["events"] == 1


async def test_rule11_same_key_other_input_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    await ok(api, customerId=customer, idempotencyKey="k1", fees=[{"addOnCode": "a"}])
    await rejected(
        api,
        "IDEMPOTENCY_KEY_REUSED",
        ["idempotencyKey"],
        customerId=customer,
        idempotencyKey="k1",
        fees=[{"addOnCode": "a", "units": 2}],
    )


async def test_rule11_key_longer_than_255_is_refused(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    await rejected(
        api,
        "TOO_LONG",
        ["idempotencyKey"],
        customerId=customer,
        idempotencyKey="k" * 256,
        fees=[{"addOnCode": "a"}],
    )


async def test_rule11_concurrent_duplicates_make_one_invoice_and_one_event(
    api: Api, catalog: Catalog
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    invoices = await asyncio.gather(
        *(
            ok(api, customerId=customer, idempotencyKey="same", fees=[{"addOnCode": "a"}])
            for _ in range(20)
        )
    )
    assert len({invoice["id"] for invoice in invoices}) == 1
    assert (await counts(api))["invoices"] == 1
    assert (await counts(api))["events"] == 1


# Rule 12 — atomic.


async def test_rule12_a_failure_midway_writes_nothing(
    api: Api, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    before = await counts(api)

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("models.invoicing.create.record_event", crash)
    with pytest.raises(RuntimeError):
        await create_one_off_invoice(
            api.db,
            catalog.org,
            OneOffInvoiceInput(customer_id=customer, fees=[FeeInput(add_on_code="a")]),
        )
    assert await counts(api) == before
    async with api.db.read() as session:
        row = await session.get(tables.Customer, customer)
        assert row is not None
        assert row.currency is None
        assert row.invoice_seq == 0
    monkeypatch.undo()
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    assert invoice["sequentialId"] == 1


async def test_unexpected_failure_is_masked_over_graphql(
    api: Api, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("models.invoicing.create.record_event", crash)
    result = await api.raw(CREATE, input={"customerId": customer, "fees": [{"addOnCode": "a"}]})
    assert result.errors is not None
    assert "secret" not in result.errors[0].message
    assert result.errors[0].extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "test"}


# Outbox row written with the invoice.


async def test_the_event_carries_the_whole_invoice(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.tax("vat", "20", default=True)
    await catalog.add_on("a", 1000)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a", "units": "1.5"}])
    async with api.db.read() as session:
        event = (await session.exec(select(tables.Event))).one()[0]  # type: ignore[call-overload]
    assert event.webhook_type == "invoice.one_off_created"
    assert event.sequence == 1
    body = event.payload
    assert body["webhook_type"] == "invoice.one_off_created"
    assert body["object_type"] == "invoice"
    assert body["organization_id"] == catalog.org
    assert body["invoice"]["id"] == invoice["id"]
    assert body["invoice"]["total_amount_cents"] == 1800
    assert body["invoice"]["fees"][0]["units"] == "1.5"
    assert body["invoice"]["applied_taxes"][0]["amount_cents"] == 300
    assert body["invoice"]["customer"]["external_id"] == "c1"


# Reading.


READ = f"""
query($id: ID!, $customerId: ID) {{
  invoice(id: $id) {{ {INVOICE_FIELDS} }}
  invoices(customerId: $customerId) {{ totalCount nodes {{ id }} }}
}}
"""


async def test_read_invoice_and_lists(api: Api, catalog: Catalog) -> None:
    one = await catalog.customer("one")
    two = await catalog.customer("two")
    await catalog.add_on("a", 100)
    mine = await ok(api, customerId=one, fees=[{"addOnCode": "a"}])
    await ok(api, customerId=two, fees=[{"addOnCode": "a"}])
    data = await api(READ, id=mine["id"], customerId=one)
    assert data["invoice"] == mine
    assert data["invoices"] == {"totalCount": 1, "nodes": [{"id": mine["id"]}]}
    everything = await api("query { invoices { totalCount } }")
    assert everything["invoices"]["totalCount"] == 2
    nested = await api("query($id: ID) { customer(id: $id) { invoices { nodes { id } } } }", id=one)
    assert nested["customer"]["invoices"]["nodes"] == [{"id": mine["id"]}]


async def test_deleted_add_on_still_shows_on_old_invoices(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    add_on = await catalog.add_on("old", 100)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "old"}])
    await delete_add_on(api.db, catalog.org, add_on)
    data = await api(READ, id=invoice["id"])
    assert data["invoice"]["fees"][0]["addOn"] == {"code": "old"}


async def test_another_organization_reads_no_invoice(
    api: Api, catalog: Catalog, make_api: MakeApi
) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    intruder = await make_api("Intruder")
    data = await intruder(READ, id=invoice["id"], customerId=customer)
    assert data["invoice"] is None
    assert data["invoices"] == {"totalCount": 0, "nodes": []}


# Found in review: canonical amounts, exact fingerprints, trimmed text, races on the customer.


async def test_amounts_are_stored_in_one_canonical_spelling(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    invoice = await ok(
        api,
        customerId=customer,
        fees=[
            {"addOnCode": "a", "units": "0E-90", "unitAmountCents": "1.50"},
            {"addOnCode": "a", "units": "2.000", "unitAmountCents": "1E+2"},
            {"addOnCode": "a", "units": "-0", "unitAmountCents": "0E+5"},
        ],
    )
    assert [
        (f["units"], f["unitAmountCents"], f["preciseAmountCents"]) for f in invoice["fees"]
    ] == [("0", "1.5", "0"), ("2", "100", "200"), ("0", "0", "0")]


async def test_huge_exponents_are_refused_by_the_scalar(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    before = await counts(api)
    result = await api.raw(
        CREATE, input={"customerId": customer, "fees": [{"addOnCode": "a", "units": "0E-50000000"}]}
    )
    assert result.errors is not None
    assert await counts(api) == before


async def test_fingerprint_tells_apart_amounts_past_28_digits(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    # 29 significant digits: the default 28-digit context would round both to one value.
    first = {"addOnCode": "a", "units": "1", "unitAmountCents": "12345678901234567.123456789012"}
    other = {**first, "unitAmountCents": "12345678901234567.123456789010"}
    await ok(api, customerId=customer, idempotencyKey="k", fees=[first])
    await rejected(
        api,
        "IDEMPOTENCY_KEY_REUSED",
        ["idempotencyKey"],
        customerId=customer,
        idempotencyKey="k",
        fees=[other],
    )


async def test_fee_text_is_stored_trimmed(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100, description="Default")
    invoice = await ok(
        api,
        customerId=customer,
        idempotencyKey="  key-1  ",
        fees=[
            {"addOnCode": "a", "invoiceDisplayName": "   ", "description": "  Mine  "},
        ],
    )
    assert invoice["fees"][0]["invoiceName"] == "A"
    assert invoice["fees"][0]["invoiceDisplayName"] is None
    assert invoice["fees"][0]["description"] == "Mine"
    again = await ok(
        api,
        customerId=customer,
        idempotencyKey="key-1",
        fees=[
            {"addOnCode": "a", "invoiceDisplayName": None, "description": "Mine"},
        ],
    )
    assert again["id"] == invoice["id"]
    await rejected(
        api,
        "REQUIRED",
        ["idempotencyKey"],
        customerId=customer,
        idempotencyKey="   ",
        fees=[{"addOnCode": "a"}],
    )


async def test_racing_first_invoices_in_two_currencies_agree_with_the_customer(
    api: Api, catalog: Catalog
) -> None:
    await catalog.add_on("eur", 100, "EUR")
    await catalog.add_on("usd", 100, "USD")
    for round_ in range(5):
        customer = await catalog.customer(f"race-{round_}")
        payloads = await asyncio.gather(
            create(api, customerId=customer, currency="EUR", fees=[{"addOnCode": "eur"}]),
            create(api, customerId=customer, currency="USD", fees=[{"addOnCode": "usd"}]),
        )
        won = [p["invoice"] for p in payloads if p["invoice"] is not None]
        lost = [p["userErrors"] for p in payloads if p["invoice"] is None]
        assert len(won) == 1
        assert [[e["code"] for e in errors] for errors in lost] == [["CURRENCY_MISMATCH"]]
        assert won[0]["customer"]["currency"] == won[0]["currency"]


async def test_a_currency_change_racing_an_invoice_never_splits_the_customer(
    api: Api, catalog: Catalog
) -> None:
    await catalog.add_on("eur", 100, "EUR")
    update = """mutation($id: ID!) { updateCustomer(input: {id: $id, currency: USD}) {
                  customer { currency } userErrors { code } } }"""
    for round_ in range(5):
        customer = await catalog.customer(f"split-{round_}", currency="EUR")
        await asyncio.gather(
            create(api, customerId=customer, fees=[{"addOnCode": "eur"}]),
            api(update, id=customer),
        )
        async with api.db.read() as session:
            row = await session.get(tables.Customer, customer)
            of_customer = col(tables.Invoice.customer_id) == customer
            currencies = set(
                await session.scalars(select(col(tables.Invoice.currency)).where(of_customer))
            )
        assert row is not None
        assert currencies <= {row.currency}


async def test_numbers_and_creation_instants_rise_together(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.add_on("a", 100)
    await asyncio.gather(
        *(ok(api, customerId=customer, fees=[{"addOnCode": "a"}]) for _ in range(20))
    )
    async with api.db.read() as session:
        instants = list(
            await session.scalars(
                select(col(tables.Invoice.created_at)).order_by(col(tables.Invoice.sequential_id))
            )
        )
    assert len(instants) == 20
    assert instants == sorted(instants)


async def test_applied_taxes_share_the_applied_tax_interface(api: Api, catalog: Catalog) -> None:
    customer = await catalog.customer("c1")
    await catalog.tax("vat", "20", default=True)
    await catalog.add_on("a", 1000)
    invoice = await ok(api, customerId=customer, fees=[{"addOnCode": "a"}])
    query = """
      fragment Tax on AppliedTax { taxCode taxName taxRate amountCents }
      query($id: ID!) { invoice(id: $id) {
        appliedTaxes { ...Tax taxableBaseAmountCents } fees { appliedTaxes { ...Tax } } } }
    """
    data = (await api(query, id=invoice["id"]))["invoice"]
    tax = {"taxCode": "vat", "taxName": "VAT", "taxRate": "20", "amountCents": "200"}
    assert data["appliedTaxes"] == [{**tax, "taxableBaseAmountCents": "1000"}]
    assert data["fees"][0]["appliedTaxes"] == [tax]
