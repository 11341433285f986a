"""Currencies as a client needs them to show amounts: the digits of their minor unit."""

from __future__ import annotations

import strawberry
from babel.numbers import get_currency_name, get_currency_symbol

from graph.scalars import CurrencyCode
from models.billing.money import currency_exponent


@strawberry.type(description="A currency as invoices use it (ISO 4217, babel's CLDR data).")
class Currency:
    code: CurrencyCode = strawberry.field(description="ISO 4217 code.")
    name: str = strawberry.field(description="English name.")
    symbol: str = strawberry.field(description="Symbol in English (€, $, ¥, KWD…).")
    exponent: int = strawberry.field(
        description="Digits of its minor unit: every *AmountCents is in units of "
        "10^-exponent: 2 for EUR (cents), 0 for JPY, 3 for KWD."
    )


@strawberry.type
class CurrencyQuery:
    @strawberry.field(
        description="One currency, by code: what a client needs to show amounts in it "
        "without floating point (CurrencyCode lists the codes)."
    )
    def currency(self, code: CurrencyCode) -> Currency:
        return Currency(
            code=code,
            name=get_currency_name(code.value, locale="en"),
            symbol=get_currency_symbol(code.value, locale="en"),
            exponent=currency_exponent(code.value),
        )
