"""The request checked without the database: canonical amounts, trimmed text, the fee limit,
and a fingerprint that sees every field but the idempotency key (rules 1, 5 and 11)."""

from __future__ import annotations

from decimal import Decimal

from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode
from models.invoicing.request import (
    MAX_FEES,
    FeeInput,
    OneOffInvoiceInput,
    normalized,
)


def request(
    *fees: FeeInput,
    customer_id: str | None = None,
    currency: str | None = None,
    idempotency_key: str | None = None,
) -> OneOffInvoiceInput:
    return OneOffInvoiceInput(
        fees=list(fees),
        customer_id=customer_id,
        currency=currency,
        idempotency_key=idempotency_key,
    )


def test_normalized_trims_text_and_stores_the_amounts_it_checked() -> None:
    checks = Checks()
    fee = FeeInput(
        add_on_code="a", units=Decimal("2.50"), unit_amount_cents=Decimal("1E1"), description=" x "
    )

    out = normalized(request(fee, customer_id="c", idempotency_key="  k "), checks)

    assert checks.errors == []
    assert out.idempotency_key == "k"
    (checked,) = out.fees
    assert (checked.units, checked.unit_amount_cents, checked.description) == (
        Decimal("2.5"),
        Decimal(10),
        "x",
    )


def test_each_refusal_has_its_path_and_the_refused_value_becomes_none() -> None:
    checks = Checks()
    fees = [
        FeeInput(),
        FeeInput(add_on_id="a", units=Decimal(-1), unit_amount_cents=Decimal("1e-13")),
    ]

    out = normalized(request(*fees, currency="EURO"), checks)

    assert [(e.code, e.field) for e in checks.errors] == [
        (ErrorCode.REQUIRED, ("customerId",)),
        (ErrorCode.INVALID_VALUE, ("currency",)),
        (ErrorCode.REQUIRED, ("fees", "0", "addOnId")),
        (ErrorCode.VALUE_OUT_OF_RANGE, ("fees", "1", "units")),
        (ErrorCode.INVALID_VALUE, ("fees", "1", "unitAmountCents")),
    ]
    assert (out.fees[1].units, out.fees[1].unit_amount_cents) == (None, None)


def test_past_the_fee_limit_the_fees_go_unchecked_and_the_rest_is_still_checked() -> None:
    checks = Checks()

    out = normalized(request(*[FeeInput()] * (MAX_FEES + 1), currency="nope"), checks)

    assert [(e.code, e.field) for e in checks.errors] == [
        (ErrorCode.REQUIRED, ("customerId",)),
        (ErrorCode.INVALID_VALUE, ("currency",)),
        (ErrorCode.VALUE_OUT_OF_RANGE, ("fees",)),
    ]
    assert out.fees == []


def test_the_fingerprint_ignores_the_key_and_the_spelling_of_amounts_only() -> None:
    base = request(FeeInput(add_on_code="a", units=Decimal("1.0")), customer_id="c")
    same = request(
        FeeInput(add_on_code="a", units=Decimal("1E0")), customer_id="c", idempotency_key="k"
    )
    other = request(FeeInput(add_on_code="a", units=Decimal(2)), customer_id="c")
    described = request(
        FeeInput(add_on_code="a", units=Decimal(1), description="d"), customer_id="c"
    )

    assert base.fingerprint() == same.fingerprint()
    assert len({base.fingerprint(), other.fingerprint(), described.fingerprint()}) == 3
