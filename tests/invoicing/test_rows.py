"""An invoice's rows from a priced request, without a database: number, dates, payment status,
display names and descriptions, and rows that carry the arithmetic's every amount
(rules 6, 9 and 10, models/invoicing)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from models.billing import arithmetic
from models.billing.statuses import DocumentNumbering, PaymentStatus
from models.invoicing.pricing import Priced
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.invoicing.rows import Sequences, invoice_number, invoice_rows
from models.store.tables import AddOn, Customer, Organization

# 23:30 UTC on the last day of November: already December in Paris, still November in New York.
NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
VAT = arithmetic.TaxRate("tax-vat", "vat", "VAT", Decimal(20))


def organization(**fields: object) -> Organization:
    return Organization.model_validate(
        {"id": "org", "name": "Acme", "document_number_prefix": "ACM", **fields}
    )


def customer(**fields: object) -> Customer:
    return Customer.model_validate(
        {"id": "cus", "organization_id": "org", "external_id": "c", "sequential_id": 7, **fields}
    )


def add_on(code: str, **fields: object) -> AddOn:
    return AddOn.model_validate(
        {
            "id": f"ao-{code}",
            "organization_id": "org",
            "code": code,
            "name": code.title(),
            "amount_cents": 100,
            "amount_currency": "EUR",
            **fields,
        }
    )


def priced(buyer: Customer, lines: list[arithmetic.FeeLine], add_ons: list[AddOn]) -> Priced:
    return Priced(buyer, add_ons, "EUR", lines, arithmetic.compute_invoice(lines))


@pytest.mark.parametrize(
    ("numbering", "timezone", "number"),
    [
        (DocumentNumbering.PER_CUSTOMER, "UTC", "ACM-007-003"),
        (DocumentNumbering.PER_ORGANIZATION, "UTC", "ACM-202611-042"),
        (DocumentNumbering.PER_ORGANIZATION, "Europe/Paris", "ACM-202612-042"),
    ],
)
def test_the_number_follows_the_organizations_numbering(
    numbering: DocumentNumbering, timezone: str, number: str
) -> None:
    seller = organization(document_numbering=numbering, timezone=timezone)

    got = invoice_number(seller, customer(), Sequences(3, 42), NOW)

    assert got == number


def test_dates_are_the_customers_then_the_organizations_and_nothing_to_pay_is_paid() -> None:
    seller = organization(timezone="Europe/Paris", net_payment_term=30)
    line = arithmetic.FeeLine(Decimal(1), Decimal(0), ())

    own = invoice_rows(
        seller,
        OneOffInvoiceInput(fees=[FeeInput(add_on_code="a")]),
        priced(customer(timezone="America/New_York", net_payment_term=0), [line], [add_on("a")]),
        Sequences(1, 1),
        fingerprint="f",
        now=NOW,
    ).invoice
    inherited = invoice_rows(
        seller,
        OneOffInvoiceInput(fees=[FeeInput(add_on_code="a")]),
        priced(customer(), [line], [add_on("a")]),
        Sequences(1, 1),
        fingerprint="f",
        now=NOW,
    ).invoice

    assert (own.issuing_date, own.payment_due_date) == (date(2026, 11, 30), date(2026, 11, 30))
    assert (inherited.issuing_date, inherited.payment_due_date) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    assert own.payment_status == inherited.payment_status == PaymentStatus.SUCCEEDED


def test_rows_carry_every_computed_amount_and_the_names_by_precedence() -> None:
    lines = [
        arithmetic.FeeLine(Decimal("1.5"), Decimal("333.3333"), (VAT,)),
        arithmetic.FeeLine(Decimal(2), Decimal(250), (VAT,)),
        arithmetic.FeeLine(Decimal(1), Decimal(99), ()),
    ]
    add_ons = [
        add_on("a", description="A's", invoice_display_name="Shown A"),
        add_on("b", description="B's"),
        add_on("c"),
    ]
    request = OneOffInvoiceInput(
        fees=[
            FeeInput(add_on_code="a"),
            FeeInput(add_on_code="b", description="own", invoice_display_name="Own B"),
            FeeInput(add_on_code="c"),
        ],
        idempotency_key="k",
    )
    computed = arithmetic.compute_invoice(lines)

    rows = invoice_rows(
        organization(),
        request,
        priced(customer(), lines, add_ons),
        Sequences(1, 1),
        fingerprint="f",
        now=NOW,
    )

    invoice = rows.invoice
    assert invoice.payment_status == PaymentStatus.PENDING
    assert (invoice.idempotency_key, invoice.request_fingerprint) == ("k", "f")
    assert invoice.total_amount_cents == computed.total_amount_cents
    assert invoice.taxes_amount_cents == sum(t.amount_cents for t in rows.applied_taxes)
    assert [f.invoice_name for f in rows.fees] == ["Shown A", "Own B", "C"]
    assert [f.description for f in rows.fees] == ["A's", "own", None]
    assert [f.amount_cents for f in rows.fees] == [c.amount_cents for c in computed.fees]
    assert [f.precise_amount_cents for f in rows.fees] == [Decimal("499.99995"), 500, 99]
    for fee, computed_fee in zip(rows.fees, computed.fees, strict=True):
        assert fee.invoice_id == invoice.id
        assert [t.amount_cents for t in rows.fee_taxes[fee.id]] == [
            t.amount_cents for t in computed_fee.taxes
        ]
    (vat,) = rows.applied_taxes
    assert (vat.tax_code, vat.taxable_base_amount_cents) == ("vat", 1000)
    assert sum(t.amount_cents for taxes in rows.fee_taxes.values() for t in taxes) == 200


def test_without_an_idempotency_key_no_fingerprint_is_stored() -> None:
    line = arithmetic.FeeLine(Decimal(1), Decimal(1), ())

    invoice = invoice_rows(
        organization(),
        OneOffInvoiceInput(fees=[FeeInput(add_on_code="a")]),
        priced(customer(), [line], [add_on("a")]),
        Sequences(1, 1),
        fingerprint="f",
        now=NOW,
    ).invoice

    assert invoice.request_fingerprint is None
