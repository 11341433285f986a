"""Rejections a caller can act on: a code, the path of the offending input field, a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    REQUIRED = "REQUIRED"
    INVALID_VALUE = "INVALID_VALUE"
    TOO_LONG = "TOO_LONG"
    VALUE_OUT_OF_RANGE = "VALUE_OUT_OF_RANGE"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"
    CUSTOMER_NOT_FOUND = "CUSTOMER_NOT_FOUND"
    ADD_ON_NOT_FOUND = "ADD_ON_NOT_FOUND"
    TAX_NOT_FOUND = "TAX_NOT_FOUND"
    API_KEY_NOT_FOUND = "API_KEY_NOT_FOUND"
    WEBHOOK_ENDPOINT_NOT_FOUND = "WEBHOOK_ENDPOINT_NOT_FOUND"
    WEBHOOK_DELIVERY_NOT_FOUND = "WEBHOOK_DELIVERY_NOT_FOUND"
    LIMIT_REACHED = "LIMIT_REACHED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    CURRENCY_REQUIRED = "CURRENCY_REQUIRED"
    UNIT_AMOUNT_REQUIRED = "UNIT_AMOUNT_REQUIRED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    LAST_API_KEY = "LAST_API_KEY"
    INVOICE_NOT_FOUND = "INVOICE_NOT_FOUND"
    INVOICE_VOIDED = "INVOICE_VOIDED"
    INVOICE_NOT_VOIDABLE = "INVOICE_NOT_VOIDABLE"


Path = tuple[str, ...]


@dataclass(frozen=True)
class InputError:
    code: ErrorCode
    field: Path | None
    message: str


class Rejected(Exception):
    """Raised inside a use-case's transaction so that it rolls back and writes nothing."""

    def __init__(self, errors: Sequence[InputError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)


def reject(code: ErrorCode, field: Path | None, message: str) -> Rejected:
    return Rejected([InputError(code, field, message)])
