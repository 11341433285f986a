"""Custom scalars: 64-bit money, exact decimals, metadata objects, and ISO 4217 currency
codes."""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from models.billing.money import CURRENCY_CODES

# ASCII digits only: Python would also read "١٢" as 12.
_INTEGER = re.compile(r"^-?[0-9]{1,40}$")
_MAX_DECIMAL_TEXT = 64
_MAX_EXPONENT = 100


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("BigInt takes an integer or a string of digits")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.match(value):
        return int(value)
    raise ValueError("BigInt takes an integer or a string of digits")


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("Decimal takes a number or a numeric string")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Through its shortest repr, so that 0.1 means 0.1 and not 0.1000000000000000055.
        value = repr(value)
    if isinstance(value, str) and len(value) <= _MAX_DECIMAL_TEXT and value.isascii():
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
        if parsed.is_finite():
            exponent = parsed.as_tuple().exponent
            # 0E-50000000 is eleven characters and fifty million digits once written out.
            if isinstance(exponent, int) and abs(exponent) > _MAX_EXPONENT:
                raise ValueError(f"Decimal exponents are limited to ±{_MAX_EXPONENT}")
            return parsed
    raise ValueError("Decimal takes a finite number (no NaN or Infinity)")


BigInt = NewType("BigInt", int)
# Any JSON value on the way in, so that a wrong one (a number where a string belongs) is a
# userErrors entry at its key's path (models/inputs/metadata.py), not a refused request.
Metadata = NewType("Metadata", object)

# Typed as StrawberryConfig.scalar_map takes it: Mapping keys are invariant, and BigInt is a
# NewType rather than a class anyway.
SCALAR_MAP: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A signed 64-bit integer, such as an amount in minor units (cents). "
        "Serialized as a string; an Int or a string of digits is accepted.",
        serialize=str,
        parse_value=_parse_big_int,
    ),
    Decimal: strawberry.scalar(
        name="Decimal",
        description="An exact decimal number, serialized as a string. Int, Float or String "
        "accepted as input; NaN and Infinity are refused.",
        serialize=lambda value: format(value, "f"),
        parse_value=_parse_decimal,
    ),
    Metadata: strawberry.scalar(
        name="Metadata",
        description="Your own key/value strings, as a JSON object: at most 50 keys of up to "
        "40 characters, each value a string of up to 500.",
        serialize=lambda value: value,
        parse_value=lambda value: value,
    ),
}

# Built from babel's list at import, so mypy cannot know the members: it is told only that
# CurrencyCode is a StrEnum (each member its own code), which is all the code relies on.
if TYPE_CHECKING:

    class CurrencyCode(enum.StrEnum):
        """The ISO 4217 codes of CURRENCY_CODES."""

else:
    CurrencyCode = enum.StrEnum("CurrencyCode", {code: code for code in CURRENCY_CODES})

strawberry.enum(
    CurrencyCode,
    description="An ISO 4217 code of a currency that is legal tender somewhere (babel's CLDR "
    "data); withdrawn codes, funds and metals are not billable.",
)


def currency_value(code: CurrencyCode | None) -> str | None:
    return None if code is None else code.value


def currency_of(code: str) -> CurrencyCode:
    return CurrencyCode[code]
