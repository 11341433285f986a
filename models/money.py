"""Currencies and minor units: exact Decimal arithmetic, never float."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal

from babel.numbers import get_currency_precision, list_currencies

# Amounts are stored as signed 64-bit integers of minor units.
MAX_MINOR_UNITS = 2**63 - 1

CURRENCY_CODES: tuple[str, ...] = tuple(sorted(list_currencies()))
_CURRENCY_SET = frozenset(CURRENCY_CODES)

# Multiplication, addition and quantize are exact at any size under this context, where the
# default 28 digits would silently round big products. Only divide when the quotient is exact
# (by 100, say): 1/3 would exhaust memory.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_HALF_UP)

_ONE = Decimal(1)


def is_currency(code: str) -> bool:
    return code in _CURRENCY_SET


def currency_exponent(code: str) -> int:
    # babel answers 2 for any code it does not know; a typo must not pass as a currency.
    if not is_currency(code):
        raise ValueError(f"unknown currency: {code!r}")
    return get_currency_precision(code)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(_ONE, rounding=ROUND_HALF_UP, context=EXACT))


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize(EXACT).as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"not a finite number: {value}")
    return max(0, -exponent)


def format_amount(amount_cents: int, currency: str) -> Decimal:
    return Decimal(amount_cents).scaleb(-currency_exponent(currency), EXACT)
