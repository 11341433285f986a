"""previewOneOffInvoice equals the invoice createOneOffInvoice then issues, over random
catalogs and requests (both engines): every amount, tax, date and error. And a preview
writes nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import col

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.catalog.taxes import create_tax
from models.inputs.errors import Rejected
from models.invoicing.create import create_one_off_invoice
from models.invoicing.preview import preview_one_off_invoice
from models.invoicing.reads import (
    applied_taxes_of_invoices,
    fees_of_invoices,
    find_invoice,
    taxes_of_fees,
)
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.invoicing.rows import InvoiceRows
from models.organizations.organizations import update_organization
from models.store import tables
from tests.conftest import Api, MakeApi

CURRENCIES = ("EUR", "JPY", "KWD", "USD")
# What a database stores: no NUL, no unpaired surrogate. The API refuses both before the core
# (RefuseUnstorableText), and the core refuses them with a code too (test_unstorable_text.py).
STORABLE = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
NOW = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
_names = itertools.count()


@dataclass
class Catalog:
    add_ons: list[tuple[str, int, list[int]]]  # currency, amount, indexes of its taxes
    rates: list[Decimal]
    defaults: list[int]
    customer_currency: str | None
    customer_taxes: list[int] | None
    customer_timezone: str | None
    fees: list[dict[str, Any]] = field(default_factory=list)
    currency: str | None = None
    by_external_id: bool = False
    purchase_order_number: str | None = None
    note: str | None = None
    footer: str | None = None
    metadata: Any = None


OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-9.5))])
INSTANTS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=OFFSETS
)


@st.composite
def periods(draw: st.DrawFn, rarely: st.SearchStrategy[bool]) -> dict[str, Any]:
    """A fee's period: mostly none or a valid one; now and then one end, reversed ends or
    an instant without its offset."""
    if draw(st.booleans()):
        return {}
    start, end = sorted([draw(INSTANTS), draw(INSTANTS)])
    if draw(rarely):
        start, end = end, start
    if draw(rarely):
        start = start.replace(tzinfo=None)
    if draw(rarely):
        return {"from_datetime": start}
    return {"from_datetime": start, "to_datetime": end}


@st.composite
def metadata(draw: st.DrawFn, rarely: st.SearchStrategy[bool]) -> Any:
    """Mostly none or valid metadata; now and then over a bound or with a non-string value."""
    found: dict[Any, Any] = draw(
        st.dictionaries(st.text(STORABLE, max_size=42), st.text(STORABLE, max_size=502), max_size=4)
    )
    if draw(rarely):
        found[draw(st.text(STORABLE, min_size=1, max_size=5))] = draw(st.integers() | st.none())
    if draw(rarely):
        found |= {f"k{i}": "v" for i in range(51)}
    return draw(st.none() | st.just(found))


def subsets(size: int) -> st.SearchStrategy[list[int]]:
    if size == 0:
        return st.just([])
    return st.lists(st.integers(0, size - 1), unique=True, max_size=size)


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    rates = draw(
        st.lists(st.decimals(min_value=0, max_value=30, places=2), max_size=3).map(
            lambda found: [Decimal(rate) for rate in found]
        )
    )
    add_ons = draw(
        st.lists(
            st.tuples(st.sampled_from(CURRENCIES), st.integers(0, 10**7), subsets(len(rates))),
            min_size=1,
            max_size=3,
        )
    )
    catalog = Catalog(
        add_ons=add_ons,
        rates=rates,
        defaults=draw(subsets(len(rates))),
        customer_currency=draw(st.none() | st.sampled_from(CURRENCIES)),
        customer_taxes=draw(st.none() | subsets(len(rates))),
        customer_timezone=draw(st.sampled_from([None, "Pacific/Kiritimati", "America/Adak"])),
        currency=None
        if draw(st.booleans())
        else draw(st.sampled_from([*CURRENCIES, *CURRENCIES, *CURRENCIES, "ABC"])),
        by_external_id=draw(st.booleans()),
        purchase_order_number=draw(st.none() | st.text(STORABLE, max_size=110)),
        note=draw(st.none() | st.text(STORABLE, max_size=40)),
        footer=draw(st.none() | st.text(STORABLE, min_size=1, max_size=30)),
    )
    codes = [f"t{i}" for i in range(len(rates))]
    # Mostly requests that can be issued; now and then one that is refused on each ground.
    rarely = st.sampled_from([False] * 15 + [True])
    catalog.metadata = draw(metadata(rarely))
    fees = []
    for _ in range(draw(st.integers(1, 4))):
        fee: dict[str, Any] = {
            "add_on_code": "missing"
            if draw(rarely)
            else f"a{draw(st.integers(0, len(add_ons) - 1))}",
            "units": None
            if draw(st.booleans())
            else draw(st.decimals(min_value=-1 if draw(rarely) else 0, max_value=1000, places=3)),
            "unit_amount_cents": draw(
                st.none() | st.decimals(min_value=0, max_value=10**6, places=3)
            ),
            "description": draw(st.none() | st.text(STORABLE, max_size=20)),
            **draw(periods(rarely)),
        }
        if draw(st.booleans()):
            chosen = [codes[i] for i in draw(subsets(len(codes)))]
            fee["tax_codes"] = [*chosen, "nope"] if draw(rarely) else chosen
        fees.append(fee)
    catalog.fees = fees
    return catalog


async def build(api: Api, catalog: Catalog) -> OneOffInvoiceInput:
    assert api.organization is not None
    org = api.organization.id
    if catalog.footer is not None:
        await update_organization(api.db, org, {"invoice_footer": catalog.footer})
    for index, rate in enumerate(catalog.rates):
        await create_tax(
            api.db,
            org,
            {
                "code": f"t{index}",
                "name": f"Tax {index}",
                "rate": rate,
                "applied_to_organization": index in catalog.defaults,
            },
        )
    for index, (currency, amount, taxes) in enumerate(catalog.add_ons):
        await create_add_on(
            api.db,
            org,
            {
                "code": f"a{index}",
                "name": f"Add-on {index}",
                "amount_cents": amount,
                "amount_currency": currency,
                "tax_codes": [f"t{i}" for i in taxes] or None,
            },
        )
    customer = await create_customer(
        api.db,
        org,
        {
            "external_id": "c",
            "currency": catalog.customer_currency,
            "timezone": catalog.customer_timezone,
            "tax_codes": None
            if catalog.customer_taxes is None
            else [f"t{i}" for i in catalog.customer_taxes],
        },
    )
    return OneOffInvoiceInput(
        customer_id=None if catalog.by_external_id else customer.id,
        external_customer_id="c" if catalog.by_external_id else None,
        currency=catalog.currency,
        fees=[FeeInput(**fee) for fee in catalog.fees],
        purchase_order_number=catalog.purchase_order_number,
        note=catalog.note,
        metadata=catalog.metadata,
    )


def of_preview(rows: InvoiceRows) -> dict[str, Any]:
    return _comparable(rows.invoice, rows.fees, rows.fee_taxes, rows.applied_taxes)


async def of_invoice(api: Api, organization_id: str, invoice_id: str) -> dict[str, Any]:
    async with api.db.read() as session:
        invoice = await find_invoice(session, organization_id, invoice_id)
        assert invoice is not None
        fees = (await fees_of_invoices(session, [invoice_id]))[invoice_id]
        fee_taxes = await taxes_of_fees(session, [fee.id for fee in fees])
        applied = (await applied_taxes_of_invoices(session, [invoice_id]))[invoice_id]
    return _comparable(invoice, fees, fee_taxes, applied)


INVOICE = [
    "currency",
    "issuing_date",
    "payment_due_date",
    "net_payment_term",
    "status",
    "payment_status",
    "invoice_type",
    "fees_amount_cents",
    "coupons_amount_cents",
    "prepaid_credit_amount_cents",
    "sub_total_excluding_taxes_amount_cents",
    "taxes_amount_cents",
    "sub_total_including_taxes_amount_cents",
    "total_amount_cents",
    "customer_id",
    "purchase_order_number",
    "note",
    "footer",
    "invoice_metadata",
]
FEE = [
    "add_on_id",
    "position",
    "units",
    "unit_amount_cents",
    "precise_amount_cents",
    "amount_cents",
    "taxes_amount_cents",
    "total_amount_cents",
    "currency",
    "description",
    "invoice_display_name",
    "invoice_name",
    "from_datetime",
    "to_datetime",
]
TAX = ["tax_id", "position", "tax_code", "tax_name", "tax_rate", "amount_cents"]


def _comparable(invoice: Any, fees: Any, fee_taxes: Any, applied: Any) -> dict[str, Any]:
    return {
        "invoice": {name: getattr(invoice, name) for name in INVOICE},
        "fees": [
            {
                **{name: getattr(fee, name) for name in FEE},
                "taxes": [{n: getattr(t, n) for n in TAX} for t in fee_taxes.get(fee.id, [])],
            }
            for fee in fees
        ],
        "applied_taxes": [
            {**{n: getattr(t, n) for n in TAX}, "base": t.taxable_base_amount_cents}
            for t in applied
        ],
    }


async def written(api: Api) -> tuple[Any, ...]:
    """What a preview must leave as it found: invoices, events, counters, currencies."""
    async with api.db.read() as session:
        invoices = await session.scalar(select(func.count()).select_from(tables.Invoice))
        events = await session.scalar(select(func.count()).select_from(tables.Event))
        counters = (
            await session.execute(
                select(col(tables.Organization.invoice_seq), col(tables.Organization.event_seq))
            )
        ).all()
        customers = (
            await session.execute(
                select(col(tables.Customer.currency), col(tables.Customer.invoice_seq))
            )
        ).all()
    return invoices, events, sorted(map(tuple, counters)), sorted(map(tuple, customers), key=str)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalog=catalogs())
async def test_the_preview_is_the_invoice_create_then_issues(
    make_api: MakeApi, catalog: Catalog
) -> None:
    api = await make_api(f"Preview {next(_names)}")
    assert api.organization is not None
    org = api.organization.id
    request = await build(api, catalog)
    before = await written(api)
    try:
        preview = await preview_one_off_invoice(api.db, org, request, now=NOW)
    except Rejected as refused:
        preview_errors: list[Any] | None = refused.errors
    else:
        preview_errors = None
    assert await written(api) == before  # a preview writes nothing
    try:
        created = await create_one_off_invoice(api.db, org, request, now=NOW)
    except Rejected as refused:
        create_errors: list[Any] | None = refused.errors
    else:
        create_errors = None
    event("issued" if create_errors is None else f"refused: {create_errors[0].code}")
    assert preview_errors == create_errors
    if create_errors is not None:
        assert await written(api) == before
        return
    assert of_preview(preview.rows) == await of_invoice(api, org, created.invoice.id)


SELECTION = """
  currency issuingDate paymentDueDate paymentStatus feesAmountCents taxesAmountCents
  totalAmountCents customer { externalId currency }
  fees { addOn { code } units unitAmountCents amountCents invoiceName
         appliedTaxes { taxCode amountCents } }
  appliedTaxes { taxCode taxableBaseAmountCents amountCents }
"""
PREVIEW = f"""
query($input: PreviewOneOffInvoiceInput!) {{
  previewOneOffInvoice(input: $input) {{
    preview {{ {SELECTION} }} userErrors {{ field code message }}
  }}
}}
"""
CREATE = f"""
mutation($input: CreateOneOffInvoiceInput!) {{
  createOneOffInvoice(input: $input) {{
    invoice {{ {SELECTION} }} userErrors {{ field code message }}
  }}
}}
"""


async def test_through_the_api_a_preview_answers_what_create_then_issues(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_add_on(
        api.db,
        org,
        {"code": "a", "name": "A", "amount_cents": 1999, "amount_currency": "EUR"},
    )
    await create_customer(api.db, org, {"external_id": "c"})
    fees = [
        {"addOnCode": "a", "units": "2", "unitAmountCents": "1499.5", "taxCodes": ["vat"]},
        {"addOnCode": "a", "unitAmountCents": "0"},
    ]
    given_input = {"externalCustomerId": "c", "fees": fees}
    before = await written(api)
    previewed = (await api(PREVIEW, input=given_input))["previewOneOffInvoice"]
    assert previewed["userErrors"] == []
    assert await written(api) == before
    # The customer takes the currency only when the invoice is created.
    assert previewed["preview"]["customer"] == {"externalId": "c", "currency": None}
    created = (await api(CREATE, input=given_input))["createOneOffInvoice"]["invoice"]
    assert created["customer"] == {"externalId": "c", "currency": "EUR"}
    del previewed["preview"]["customer"], created["customer"]
    assert previewed["preview"] == created
    assert created["totalAmountCents"] == "3599"  # 2999 + 600 of VAT, the free one untaxed

    bad = {"externalCustomerId": "nobody", "fees": [{"addOnCode": "x", "units": "-1"}]}
    refused = (await api(PREVIEW, input=bad))["previewOneOffInvoice"]
    create_refused = (await api(CREATE, input=bad))["createOneOffInvoice"]
    assert refused["preview"] is None
    assert refused["userErrors"] == create_refused["userErrors"]
    assert [e["code"] for e in refused["userErrors"]] == [
        "VALUE_OUT_OF_RANGE",
        "CUSTOMER_NOT_FOUND",
        "ADD_ON_NOT_FOUND",
    ]
