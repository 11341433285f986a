"""Finding invoices again: by number, by every filter of the page, overdue, and the indexes
that serve the daily filters (their plans, on both engines)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import event, text, update
from sqlmodel import col

from models.billing.statuses import PaymentStatus
from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from models.invoicing.create import create_one_off_invoice
from models.invoicing.filters import is_overdue
from models.invoicing.lifecycle import update_payment_status, void_invoice
from models.invoicing.reads import find_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.store import tables
from tests.conftest import Api, MakeApi
from tests.graph.test_invoice_queries import counting

FIELDS = (
    "id number status paymentStatus currency issuingDate paymentOverdue customer { externalId }"
)
ONE = f"query($id: ID, $number: String) {{ invoice(id: $id, number: $number) {{ {FIELDS} }} }}"
PAGE = f"""
query($first: Int, $after: String, $customerId: ID, $externalCustomerId: String,
      $status: InvoiceStatus, $paymentStatus: PaymentStatus, $currency: CurrencyCode,
      $from: Date, $to: Date, $searchTerm: String, $overdue: Boolean) {{
  invoices(first: $first, after: $after, customerId: $customerId,
           externalCustomerId: $externalCustomerId, status: $status,
           paymentStatus: $paymentStatus, currency: $currency, issuingDateFrom: $from,
           issuingDateTo: $to, searchTerm: $searchTerm, paymentOverdue: $overdue) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {FIELDS} }}
  }}
}}
"""
LONG_AGO = datetime(2026, 1, 10, 12, tzinfo=UTC)


class Book:
    """An organization's invoices, made with known dates, customers and currencies."""

    def __init__(self, api: Api) -> None:
        assert api.organization is not None
        self.api, self.org = api, api.organization.id
        self.ids: dict[str, str] = {}

    async def setup(self) -> None:
        for code, currency in (("eur", "EUR"), ("usd", "USD")):
            await create_add_on(
                self.api.db,
                self.org,
                {"code": code, "name": code, "amount_cents": 1000, "amount_currency": currency},
            )
        for external_id, name in (("paris", "Librairie du Parc"), ("nyc", "Hudson Books")):
            customer = await create_customer(
                self.api.db, self.org, {"external_id": external_id, "name": name}
            )
            self.ids[external_id] = customer.id

    async def bill(self, customer: str, add_on: str, at: datetime | None = None) -> str:
        created = await create_one_off_invoice(
            self.api.db,
            self.org,
            OneOffInvoiceInput(customer_id=self.ids[customer], fees=[FeeInput(add_on_code=add_on)]),
            now=at,
        )
        return created.invoice.id


async def page(api: Api, **variables: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await api(PAGE, first=100, **variables))["invoices"]["nodes"]
    return nodes


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["id"] for node in nodes]


async def test_one_invoice_by_id_by_number_or_both_and_never_another_organizations(
    api: Api, make_api: MakeApi
) -> None:
    book = Book(api)
    await book.setup()
    mine = await book.bill("paris", "eur")
    other = Book(await make_api("Other"))
    await other.setup()
    theirs = await other.bill("paris", "eur")
    number = (await api(ONE, id=mine))["invoice"]["number"]

    assert (await api(ONE, number=number))["invoice"]["id"] == mine
    assert (await api(ONE, id=mine, number=number))["invoice"]["id"] == mine
    assert (await api(ONE, id=theirs))["invoice"] is None
    their_number = (await other.api(ONE, id=theirs))["invoice"]["number"]
    assert (await api(ONE, number=their_number))["invoice"] is None
    assert (await api(ONE, id=mine, number=number + "x"))["invoice"] is None
    assert (await api(ONE))["invoice"] is None


async def test_every_filter_keeps_what_it_names_and_they_combine(api: Api) -> None:
    book = Book(api)
    await book.setup()
    old_paris = await book.bill("paris", "eur", LONG_AGO)
    old_nyc = await book.bill("nyc", "usd", LONG_AGO + timedelta(days=40))
    paris_paid = await book.bill("paris", "eur")
    paris_voided = await book.bill("paris", "eur")
    nyc_failed = await book.bill("nyc", "usd")
    await update_payment_status(api.db, book.org, paris_paid, PaymentStatus.SUCCEEDED)
    await void_invoice(api.db, book.org, paris_voided)
    await update_payment_status(api.db, book.org, nyc_failed, PaymentStatus.FAILED)
    newest_first = [nyc_failed, paris_voided, paris_paid, old_nyc, old_paris]

    assert ids(await page(api)) == newest_first
    paris = [nyc for nyc in newest_first if nyc not in (old_nyc, nyc_failed)]
    assert ids(await page(api, customerId=book.ids["paris"])) == paris
    assert ids(await page(api, externalCustomerId="paris")) == paris
    assert ids(await page(api, externalCustomerId="nobody")) == []
    assert ids(await page(api, status="VOIDED")) == [paris_voided]
    assert ids(await page(api, status="FINALIZED")) == [
        i for i in newest_first if i != paris_voided
    ]
    assert ids(await page(api, paymentStatus="SUCCEEDED")) == [paris_paid]
    assert ids(await page(api, paymentStatus="PENDING")) == [paris_voided, old_nyc, old_paris]
    assert ids(await page(api, currency="USD")) == [nyc_failed, old_nyc]
    assert ids(await page(api, **{"from": "2026-01-10", "to": "2026-01-10"})) == [old_paris]
    assert ids(await page(api, to="2026-02-28")) == [old_nyc, old_paris]
    assert ids(await page(api, **{"from": "2026-02-19"})) == newest_first[:4]
    assert ids(await page(api, searchTerm="hudson")) == [nyc_failed, old_nyc]
    assert ids(await page(api, searchTerm="  PARIS ")) == paris
    old_number = (await api(ONE, id=old_nyc))["invoice"]["number"]
    assert ids(await page(api, searchTerm=old_number.lower())) == [old_nyc]
    assert ids(await page(api, searchTerm="%")) == []
    assert ids(await page(api, currency="USD", paymentStatus="PENDING")) == [old_nyc]
    assert ids(await page(api, externalCustomerId="paris", status="VOIDED", currency="USD")) == []


async def test_overdue_is_pending_past_its_due_date_and_filterable(api: Api) -> None:
    book = Book(api)
    await book.setup()
    overdue = await book.bill("paris", "eur", LONG_AGO)
    paid_late = await book.bill("paris", "eur", LONG_AGO)
    voided_late = await book.bill("paris", "eur", LONG_AGO)
    not_due = await book.bill("paris", "eur")
    await update_payment_status(api.db, book.org, paid_late, PaymentStatus.SUCCEEDED)
    await void_invoice(api.db, book.org, voided_late)

    nodes = {node["id"]: node for node in await page(api)}
    assert {i for i, node in nodes.items() if node["paymentOverdue"]} == {overdue}
    assert ids(await page(api, overdue=True)) == [overdue]
    assert set(ids(await page(api, overdue=False))) == {paid_late, voided_late, not_due}


async def test_overdue_is_judged_where_the_invoice_is_dated(api: Api) -> None:
    book = Book(api)
    await book.setup()
    # Due the day it is issued, in Los Angeles: issued at 05:00 UTC, which is still the
    # evening before there; overdue from midnight there, 08:00 UTC, not from UTC's midnight.
    customer = await create_customer(
        api.db,
        book.org,
        {"external_id": "la", "timezone": "America/Los_Angeles", "net_payment_term": 0},
    )
    book.ids["la"] = customer.id
    issued_at = datetime(2026, 12, 5, 5, tzinfo=UTC)
    invoice_id = await book.bill("la", "eur", issued_at)
    async with api.db.read() as session:
        row = await find_invoice(session, book.org, invoice_id)
    assert row is not None
    assert (row.issuing_date, row.payment_due_date) == (date(2026, 12, 4), date(2026, 12, 4))
    assert row.payment_overdue_at == datetime(2026, 12, 5, 8, tzinfo=UTC)
    assert not is_overdue(row, issued_at)
    assert not is_overdue(row, datetime(2026, 12, 5, 7, 59, tzinfo=UTC))
    assert is_overdue(row, datetime(2026, 12, 5, 8, tzinfo=UTC))
    # Issued now, due today in Los Angeles: not overdue, whatever UTC's date.
    fresh = await book.bill("la", "eur")
    nodes = {node["id"]: node for node in await page(api, customerId=customer.id)}
    assert nodes[fresh]["paymentOverdue"] is False
    assert fresh not in ids(await page(api, overdue=True))
    assert invoice_id in ids(await page(api, overdue=True))


async def test_an_invoice_without_its_overdue_instant_is_judged_on_the_utc_date(
    api: Api,
) -> None:
    book = Book(api)
    await book.setup()
    old = await book.bill("paris", "eur", LONG_AGO)
    recent = await book.bill("paris", "eur")
    async with api.db.write() as session:
        # As migration 0007 leaves the invoices issued before it.
        await session.execute(
            update(tables.Invoice)
            .where(col(tables.Invoice.id).in_([old, recent]))
            .values(payment_overdue_at=None)
        )
    assert ids(await page(api, overdue=True)) == [old]
    nodes = {node["id"]: node["paymentOverdue"] for node in await page(api)}
    assert nodes == {old: True, recent: False}


async def test_a_filtered_page_costs_the_same_statements_whatever_its_size(api: Api) -> None:
    book = Book(api)
    await book.setup()
    for _ in range(12):
        await book.bill("paris", "eur")
    filters = {"searchTerm": "librairie", "paymentStatus": "PENDING", "currency": "EUR"}
    with counting(api) as small:
        one = (await api(PAGE, first=1, **filters))["invoices"]
    with counting(api) as large:
        all_ = (await api(PAGE, first=100, **filters))["invoices"]
    assert len(one["nodes"]) == 1
    assert one["pageInfo"]["hasNextPage"]
    assert len(all_["nodes"]) == 12
    selects = [s for s in large if s.lstrip().upper().startswith("SELECT")]
    # The page (with its customer filter as a subquery), then its customers.
    assert len(selects) == 2, selects
    assert len(large) == len(small)
    after = (await api(PAGE, first=5, after=one["pageInfo"]["endCursor"], **filters))["invoices"]
    assert ids(after["nodes"]) == ids(all_["nodes"])[1:6]


async def plan_of(api: Api, **filters: Any) -> str:
    """The database's plan for the page query those filters make, as it runs it."""
    ran: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        ran.append((args[2], args[3]))

    engine = api.db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        await page(api, **filters)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    (statement, parameters) = next(s for s in ran if "FROM invoices" in s[0])
    async with api.db.read() as session:
        connection = await session.connection()
        if connection.dialect.name == "sqlite":
            rows = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        # A few rows make a scan of the table the cheapest plan: take that one off the table
        # to see which index the planner would use once the table is large.
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        rows = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(str(row[0]) for row in rows)


async def test_the_daily_filters_are_served_by_their_indexes(api: Api) -> None:
    book = Book(api)
    await book.setup()
    for _ in range(3):
        await book.bill("paris", "eur")
    expected: dict[str, list[dict[str, Any]]] = {
        "ix_invoices_payment_status_page": [{"paymentStatus": "PENDING"}, {"overdue": True}],
        "ix_invoices_status_page": [{"status": "VOIDED"}],
        "ix_invoices_customer_page": [{"customerId": book.ids["paris"]}],
        "ix_invoices_organization_page": [{}],
    }
    for index, cases in expected.items():
        for filters in cases:
            plan = await plan_of(api, **filters)
            assert index in plan, (filters, plan)
            # Served in page order from the index: no sort of the whole list.
            assert "TEMP B-TREE" not in plan.upper(), (filters, plan)
            assert "Sort" not in plan, (filters, plan)


async def test_a_search_term_longer_than_anything_searched_is_refused(api: Api) -> None:
    refused = await api.raw(PAGE, first=10, searchTerm="a" * 256)
    assert refused.errors is not None
    assert [e.extensions["code"] for e in refused.errors if e.extensions] == ["BAD_USER_INPUT"]
    assert ids(await page(api, searchTerm="a" * 255)) == []
