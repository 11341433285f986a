"""Currencies and minor units: exact Decimal arithmetic, never float."""

from __future__ import annotations

from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies, list_currencies

# Amounts are stored as signed 64-bit integers of minor units.
MAX_MINOR_UNITS = 2**63 - 1

# Billable currencies: the ISO 4217 codes that are legal tender in some territory on this
# date, by babel's CLDR data. Withdrawn codes (DEM, HRK), funds and metals (CLF, XAU) and
# market codes (CNH) stay out. A fixed date keeps the schema stable between runs; move it
# forward when babel is upgraded.
TENDER_ON = date(2026, 1, 1)


def _tender_currencies() -> tuple[str, ...]:
    tender: set[str] = set()
    for territory in get_global("territory_currencies"):
        tender.update(
            get_territory_currencies(
                territory, start_date=TENDER_ON, end_date=TENDER_ON, tender=True
            )
        )
    return tuple(sorted(tender & set(list_currencies())))


CURRENCY_CODES: tuple[str, ...] = _tender_currencies()
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


def canonical_decimal(value: Decimal) -> Decimal:
    """One spelling per amount: 1, 1.0 and 1E0 are stored and hashed alike, and an exponent
    like 0E-2000 cannot turn into two thousand digits of text."""
    value = value.normalize(EXACT)
    if value.is_zero():
        return Decimal(0)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return value.quantize(Decimal(1), context=EXACT)
    return value
