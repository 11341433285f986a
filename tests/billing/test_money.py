import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import pytest
from babel.numbers import list_currencies
from hypothesis import given, settings
from hypothesis import strategies as st

from models.billing.money import (
    CURRENCY_CODES,
    MAX_MINOR_UNITS,
    canonical_decimal,
    currency_exponent,
    decimal_places,
    format_amount,
    is_currency,
    round_half_up,
)

exact_decimals = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(-(10**40), 10**40),
    st.integers(-30, 10),
)


def test_max_minor_units_is_the_signed_64_bit_limit() -> None:
    assert MAX_MINOR_UNITS == 9_223_372_036_854_775_807


def test_currency_codes_are_babels_tender_iso_codes_sorted() -> None:
    assert list(CURRENCY_CODES) == sorted(CURRENCY_CODES)
    assert set(CURRENCY_CODES) <= set(list_currencies())
    assert {"EUR", "USD", "JPY", "KWD", "CHF", "GBP", "INR", "BRL", "XOF"} <= set(CURRENCY_CODES)
    # Withdrawn, funds and metals, testing and market-only codes are not billable.
    assert not {"DEM", "HRK", "CLF", "XAU", "XTS", "XXX", "CNH"} & set(CURRENCY_CODES)
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in CURRENCY_CODES)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("EUR", True), ("JPY", True), ("KWD", True), ("eur", False), ("ZZZ", False), ("", False)],
)
def test_is_currency(code: str, expected: bool) -> None:
    assert is_currency(code) is expected


@pytest.mark.parametrize(("code", "exponent"), [("JPY", 0), ("EUR", 2), ("USD", 2), ("KWD", 3)])
def test_currency_exponent(code: str, exponent: int) -> None:
    assert currency_exponent(code) == exponent


def test_currency_exponent_refuses_what_babel_would_call_two() -> None:
    with pytest.raises(ValueError, match="ZZZ"):
        currency_exponent("ZZZ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5", 3),  # round() would give 2
        ("0.5", 1),  # round() would give 0
        ("3.5", 4),
        ("2.4999999999", 2),
        ("0.999", 1),
        ("0", 0),
        ("0E-24", 0),
        ("-2.5", -3),  # half away from zero
        ("9223372036854775806.5", MAX_MINOR_UNITS),
        ("123456789012345678901234567890.5", 123456789012345678901234567891),
    ],
)
def test_round_half_up(value: str, expected: int) -> None:
    assert round_half_up(Decimal(value)) == expected


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_round_half_up_refuses_non_numbers(value: str) -> None:
    with pytest.raises((ValueError, InvalidOperation)):
        round_half_up(Decimal(value))


@given(exact_decimals)
def test_round_half_up_is_half_away_from_zero(value: Decimal) -> None:
    magnitude = math.floor(abs(Fraction(value)) + Fraction(1, 2))
    assert round_half_up(value) == (-magnitude if value < 0 else magnitude)


@pytest.mark.parametrize(
    ("value", "places"),
    [
        ("12", 0),
        ("1.50", 1),
        ("0.000", 0),
        ("1E+3", 0),
        ("1.2E+1", 0),
        ("1.23E+1", 1),
        ("0.000000000001", 12),
        ("-0.25", 2),
        # Past the default 28 digits of precision, which must not round it away.
        ("1.234567890123456789012345678901", 30),
    ],
)
def test_decimal_places(value: str, places: int) -> None:
    assert decimal_places(Decimal(value)) == places


def test_decimal_places_refuses_infinity() -> None:
    with pytest.raises(ValueError, match="finite"):
        decimal_places(Decimal("Infinity"))


@given(exact_decimals)
def test_decimal_places_is_the_fewest_digits_that_hold_the_value(value: Decimal) -> None:
    places = decimal_places(value)
    assert (Fraction(value) * 10**places).denominator == 1
    if places:
        assert (Fraction(value) * 10 ** (places - 1)).denominator != 1


@pytest.mark.parametrize(
    ("amount_cents", "currency", "expected"),
    [
        (1234, "EUR", "12.34"),
        (1200, "EUR", "12.00"),
        (5, "USD", "0.05"),
        (1234, "JPY", "1234"),
        (1234, "KWD", "1.234"),
        (0, "KWD", "0.000"),
        (-1234, "EUR", "-12.34"),
        (MAX_MINOR_UNITS, "EUR", "92233720368547758.07"),
    ],
)
def test_format_amount(amount_cents: int, currency: str, expected: str) -> None:
    formatted = format_amount(amount_cents, currency)
    assert formatted == Decimal(expected)
    assert str(formatted) == expected


@settings(max_examples=200)
@given(st.integers(0, MAX_MINOR_UNITS), st.sampled_from(CURRENCY_CODES))
def test_format_amount_is_exact_for_every_currency(amount_cents: int, currency: str) -> None:
    formatted = format_amount(amount_cents, currency)
    assert Fraction(formatted) * 10 ** currency_exponent(currency) == amount_cents
    assert decimal_places(formatted) <= currency_exponent(currency)


@pytest.mark.parametrize(
    ("given_", "canonical"),
    [("1.0", "1"), ("1E0", "1"), ("0E-2000", "0"), ("1E+3", "1000"), ("0.50", "0.5")],
)
def test_one_spelling_per_amount(given_: str, canonical: str) -> None:
    assert format(canonical_decimal(Decimal(given_)), "f") == canonical


@given(st.decimals(min_value=0, max_value=10**15, places=6, allow_nan=False))
def test_canonical_amounts_keep_their_value(value: Decimal) -> None:
    assert canonical_decimal(value) == value
