"""Input checks shared by the use-cases; each failed check adds one InputError."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from models.billing.money import MAX_MINOR_UNITS, decimal_places, is_currency
from models.billing.numbering import is_timezone
from models.inputs.errors import ErrorCode, InputError, Path, Rejected

# Pragmatic: one @, no spaces, a dot in the domain. Full RFC 5322 buys nothing here.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Codes and external ids travel in URLs and webhook bodies: printable, no whitespace at the ends.
SHORT_TEXT = 255
LONG_TEXT = 1000


# PostgreSQL cannot store U+0000; neither engine can encode an unpaired UTF-16 surrogate
# (JSON's "\ud800" decodes to one). The server refuses both before execution
# (graph/refusals.py); the core refuses them too, whoever calls it.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NOT_TEXT = "holds a NUL character or an unpaired surrogate (U+D800 to U+DFFF), which is not text"


def is_text(value: str) -> bool:
    return UNSTORABLE.search(value) is None


class Checks:
    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, code: ErrorCode, field: Path | None, message: str) -> None:
        self.errors.append(InputError(code, field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise Rejected(self.errors)

    def text(
        self,
        value: str | None,
        field: Path,
        *,
        required: bool = False,
        max_length: int = SHORT_TEXT,
    ) -> str | None:
        """Strip, then refuse empty-when-required, over-long values and what is not text."""
        if value is None:
            if required:
                self.add(ErrorCode.REQUIRED, field, f"{field[-1]} is required")
            return None
        if not is_text(value):
            self.add(ErrorCode.INVALID_VALUE, field, f"{field[-1]} {NOT_TEXT}")
            return None
        stripped = value.strip()
        if not stripped:
            if required:
                self.add(ErrorCode.REQUIRED, field, f"{field[-1]} must not be blank")
                return None
            return None
        if len(stripped) > max_length:
            self.add(
                ErrorCode.TOO_LONG, field, f"{field[-1]} is longer than {max_length} characters"
            )
            return None
        return stripped

    def email(self, value: str | None, field: Path) -> str | None:
        email = self.text(value, field)
        if email is not None and not _EMAIL.match(email):
            self.add(ErrorCode.INVALID_VALUE, field, f"{email!r} is not an email address")
            return None
        return email

    def currency(self, value: str | None, field: Path) -> str | None:
        if value is None:
            return None
        if not is_currency(value):
            self.add(ErrorCode.INVALID_VALUE, field, f"{value!r} is not an ISO 4217 currency code")
            return None
        return value

    def timezone(self, value: str | None, field: Path) -> str | None:
        if value is None:
            return None
        if not is_timezone(value):
            self.add(ErrorCode.INVALID_VALUE, field, f"{value!r} is not an IANA timezone")
            return None
        return value

    def days(self, value: int | None, field: Path) -> int | None:
        if value is None:
            return None
        if value < 0 or value > 3650:
            self.add(ErrorCode.VALUE_OUT_OF_RANGE, field, f"{field[-1]} must be 0 to 3650 days")
            return None
        return value

    def minor_units(self, value: int | None, field: Path) -> int | None:
        if value is None:
            return None
        if value < 0 or value > MAX_MINOR_UNITS:
            self.add(
                ErrorCode.VALUE_OUT_OF_RANGE,
                field,
                f"{field[-1]} must be between 0 and {MAX_MINOR_UNITS}",
            )
            return None
        return value

    def decimal(
        self, value: Decimal | str | int | None, field: Path, *, required: bool = False
    ) -> Decimal | None:
        """A finite Decimal from a Decimal, an int or numeric text; callers of the models
        layer (the seed, the CLI) pass rates as text."""
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            if required:
                self.add(ErrorCode.REQUIRED, field, f"{field[-1]} is required")
            return None
        if isinstance(value, bool):
            self.add(ErrorCode.INVALID_VALUE, field, f"{field[-1]} must be a decimal number")
            return None
        try:
            parsed = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            self.add(ErrorCode.INVALID_VALUE, field, f"{value!r} is not a decimal number")
            return None
        if not parsed.is_finite():
            self.add(ErrorCode.INVALID_VALUE, field, f"{field[-1]} must be a finite number")
            return None
        return parsed

    def tax_rate(self, value: Decimal | None, field: Path) -> Decimal | None:
        if value is None:
            return None
        if not value.is_finite() or value < 0 or value > 100:
            self.add(ErrorCode.VALUE_OUT_OF_RANGE, field, "rate must be between 0 and 100")
            return None
        if decimal_places(value) > 4:
            self.add(ErrorCode.INVALID_VALUE, field, "rate has more than 4 decimal places")
            return None
        return value
