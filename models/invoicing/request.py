"""A one-off invoice request and its canonical form: what the caller asked, checked without
the database, and the fingerprint an idempotency key is bound to (rules 1, 2, 5 and 11 of
models/invoicing)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from models.billing.money import (
    EXACT,
    MAX_MINOR_UNITS,
    canonical_decimal,
    decimal_places,
    is_currency,
)
from models.inputs.checks import LONG_TEXT, SHORT_TEXT, Checks
from models.inputs.errors import ErrorCode, Path
from models.inputs.metadata import checked_metadata
from models.inputs.periods import checked_period

MAX_FEES = 100
MAX_DECIMALS = 12
MAX_IDEMPOTENCY_KEY = 255
MAX_PURCHASE_ORDER_NUMBER = 100


@dataclass(frozen=True)
class FeeInput:
    add_on_id: str | None = None
    add_on_code: str | None = None
    units: Decimal | None = None
    unit_amount_cents: Decimal | None = None
    description: str | None = None
    invoice_display_name: str | None = None
    tax_codes: list[str] | None = None
    # The period of service billed, both ends or neither; in UTC once normalized.
    from_datetime: datetime | None = None
    to_datetime: datetime | None = None


@dataclass(frozen=True)
class OneOffInvoiceInput:
    fees: list[FeeInput] = field(default_factory=list)
    customer_id: str | None = None
    external_customer_id: str | None = None
    currency: str | None = None
    idempotency_key: str | None = None
    # Printed on the invoice; part of the fingerprint like every other field.
    purchase_order_number: str | None = None
    note: str | None = None
    # Anything given here before normalization (a caller's JSON); a Metadata after it.
    metadata: Any = None

    def fingerprint(self) -> str:
        """Same input, same hash: what a replayed idempotency key must match."""
        return _hash(self._canonical_data(_LATER_FIELDS))

    def fingerprints(self) -> frozenset[str]:
        """Every fingerprint this request may have been stored with, across upgrades:
        today's, and while it uses no metadata and no fee period, the form that held an
        unset purchase order number and note as nulls (commits 0894348 to 031234f)."""
        found = {self.fingerprint()}
        if self.metadata is None and all(f.from_datetime is None for f in self.fees):
            found.add(_hash(self._canonical_data(("metadata",))))
        return frozenset(found)

    def _canonical_data(self, omitted_when_unset: tuple[str, ...]) -> dict[str, Any]:
        data = asdict(self)
        data.pop("idempotency_key")
        _drop_unset(data, omitted_when_unset)
        for fee in data["fees"]:
            _drop_unset(fee, _LATER_FEE_FIELDS)
        return data


# Fields added after keys were first bound to fingerprints: left out while unset, so that a
# request replayed across an upgrade still matches the fingerprint its key was stored with
# (pinned by tests/invoicing/test_fingerprint.py).
_LATER_FIELDS = ("purchase_order_number", "note", "metadata")
_LATER_FEE_FIELDS = ("from_datetime", "to_datetime")


def _hash(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, default=_canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _drop_unset(data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if data.get(name) is None:
            data.pop(name, None)


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        # 1, 1.0 and 1E0 are one amount.
        return format(value.normalize(EXACT), "f")
    if isinstance(value, datetime):
        # Normalized to UTC: one instant, one text, whatever offset it was given with.
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _check_decimal(checks: Checks, value: Decimal | None, path: Path, name: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite():
        checks.add(ErrorCode.INVALID_VALUE, path, f"{name} must be a finite number")
    elif value < 0:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, path, f"{name} must not be negative")
    elif value > MAX_MINOR_UNITS:
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, path, f"{name} is larger than {MAX_MINOR_UNITS}")
    elif decimal_places(value) > MAX_DECIMALS:
        checks.add(
            ErrorCode.INVALID_VALUE, path, f"{name} has more than {MAX_DECIMALS} decimal places"
        )
    else:
        return canonical_decimal(value)
    return None


def normalized(request: OneOffInvoiceInput, checks: Checks) -> OneOffInvoiceInput:
    """The request checked without the database, trimmed and in canonical form (what is stored
    is what was checked); each refusal goes to `checks`, and a refused value becomes None."""
    if request.customer_id is None and request.external_customer_id is None:
        checks.add(ErrorCode.REQUIRED, ("customerId",), "give customerId or externalCustomerId")
    if request.currency is not None and not is_currency(request.currency):
        checks.add(ErrorCode.INVALID_VALUE, ("currency",), f"{request.currency!r} is not ISO 4217")
    idempotency_key = None
    if request.idempotency_key is not None:
        idempotency_key = checks.text(
            request.idempotency_key,
            ("idempotencyKey",),
            required=True,
            max_length=MAX_IDEMPOTENCY_KEY,
        )
    request = replace(
        request,
        purchase_order_number=checks.text(
            request.purchase_order_number,
            ("purchaseOrderNumber",),
            max_length=MAX_PURCHASE_ORDER_NUMBER,
        ),
        note=checks.text(request.note, ("note",), max_length=LONG_TEXT),
        metadata=checked_metadata(checks, request.metadata, ("metadata",)),
    )
    if not request.fees:
        checks.add(ErrorCode.REQUIRED, ("fees",), "an invoice needs at least one fee")
    fees: list[FeeInput] = []
    if len(request.fees) > MAX_FEES:
        # Its fees go unchecked: the limit bounds the work spent on a request, checks included;
        # the rest of the request is still checked.
        checks.add(ErrorCode.VALUE_OUT_OF_RANGE, ("fees",), f"at most {MAX_FEES} fees")
        return replace(request, fees=fees, idempotency_key=idempotency_key)
    for index, fee in enumerate(request.fees):
        at = ("fees", str(index))
        if fee.add_on_id is None and fee.add_on_code is None:
            checks.add(ErrorCode.REQUIRED, (*at, "addOnId"), "give addOnId or addOnCode")
        start, end = checked_period(checks, fee.from_datetime, fee.to_datetime, at)
        fees.append(
            replace(
                fee,
                units=_check_decimal(checks, fee.units, (*at, "units"), "units"),
                unit_amount_cents=_check_decimal(
                    checks, fee.unit_amount_cents, (*at, "unitAmountCents"), "unitAmountCents"
                ),
                description=checks.text(
                    fee.description, (*at, "description"), max_length=LONG_TEXT
                ),
                invoice_display_name=checks.text(
                    fee.invoice_display_name, (*at, "invoiceDisplayName"), max_length=SHORT_TEXT
                ),
                from_datetime=start,
                to_datetime=end,
            )
        )
    return replace(request, fees=fees, idempotency_key=idempotency_key)
