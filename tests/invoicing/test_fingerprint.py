"""An idempotency key's fingerprint outlives upgrades: a request replayed after fields were
added to the input (purchase order number, note, metadata, fee periods) still matches the
fingerprint stored when its key was first used, as long as it does not use them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, Rejected
from models.invoicing.create import create_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput, normalized
from models.store import tables
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on

# Computed by models/invoicing/request.py as of commit 794f73f, before any of those fields.
BEFORE_THE_LATER_FIELDS = "27df541fce86860ee4bd95709d1da79529d9b2e1ffad4d4590f0fb2c9c31719e"
# As of commits 0894348 to 031234f, which held an unset purchase order number and note as
# nulls: REQUEST, and REQUEST with purchase order number PO-1.
WITH_NULL_TEXTS = "3a92a4ab103126b47b4b43e257d6294d944525bb75b554ceab1c0b6e9bb51449"
WITH_NULL_NOTE = "227e59d09494ff0701b96ef7c517afad2fd04f7cb9d88a344775a5b9e5e6a502"
FEE = FeeInput(
    add_on_code="setup",
    units=Decimal("2"),
    unit_amount_cents=Decimal("12.5"),
    description="Onboarding",
    tax_codes=["vat"],
)
REQUEST = OneOffInvoiceInput(fees=[FEE], customer_id="c-1", currency="EUR", idempotency_key="k")


def checked(request: OneOffInvoiceInput) -> OneOffInvoiceInput:
    checks = Checks()
    found = normalized(request, checks)
    assert checks.errors == []
    return found


def fingerprint(request: OneOffInvoiceInput) -> str:
    return checked(request).fingerprint()


def test_a_request_without_the_later_fields_keeps_its_earlier_fingerprint() -> None:
    assert fingerprint(REQUEST) == BEFORE_THE_LATER_FIELDS
    assert REQUEST.fingerprint() == BEFORE_THE_LATER_FIELDS


def test_a_key_stored_by_any_earlier_form_still_replays() -> None:
    assert checked(REQUEST).fingerprints() == {BEFORE_THE_LATER_FIELDS, WITH_NULL_TEXTS}
    with_po = checked(OneOffInvoiceInput(**{**vars(REQUEST), "purchase_order_number": "PO-1"}))
    assert WITH_NULL_NOTE in with_po.fingerprints()
    # A request with metadata could not have been stored by a form that had none.
    tagged = checked(OneOffInvoiceInput(**{**vars(REQUEST), "metadata": {"a": "b"}}))
    assert tagged.fingerprints() == {tagged.fingerprint()}


def test_each_later_field_changes_it_and_one_instant_is_one_fingerprint() -> None:
    paris = timezone(timedelta(hours=1))
    start, end = datetime(2026, 11, 1, tzinfo=paris), datetime(2026, 11, 30, 23, tzinfo=paris)
    period = FeeInput(**{**vars(FEE), "from_datetime": start, "to_datetime": end})
    in_utc = FeeInput(
        **{**vars(FEE), "from_datetime": start.astimezone(UTC), "to_datetime": end.astimezone(UTC)}
    )
    variants = [
        OneOffInvoiceInput(**{**vars(REQUEST), "purchase_order_number": "PO-1"}),
        OneOffInvoiceInput(**{**vars(REQUEST), "note": "n"}),
        OneOffInvoiceInput(**{**vars(REQUEST), "metadata": {"a": "b"}}),
        OneOffInvoiceInput(**{**vars(REQUEST), "fees": [period]}),
    ]
    found = {fingerprint(variant) for variant in variants}
    assert len(found) == len(variants)
    assert BEFORE_THE_LATER_FIELDS not in found
    same_instants = OneOffInvoiceInput(**{**vars(REQUEST), "fees": [in_utc]})
    assert fingerprint(same_instants) == fingerprint(variants[-1])
    # Empty metadata is no metadata.
    empty = OneOffInvoiceInput(**{**vars(REQUEST), "metadata": {}})
    assert fingerprint(empty) == BEFORE_THE_LATER_FIELDS


async def test_an_invoice_keyed_by_the_earlier_form_is_replayed_not_refused(api: Api) -> None:
    assert api.organization is not None
    org = api.organization.id
    (customer,) = await customers_and_add_on(api, "c")
    request = OneOffInvoiceInput(fees=[FeeInput(add_on_code="a")], customer_id=customer)
    keyed = OneOffInvoiceInput(**{**vars(request), "idempotency_key": "k"})
    first = await create_one_off_invoice(api.db, org, keyed)
    (earlier_form,) = checked(keyed).fingerprints() - {checked(keyed).fingerprint()}
    # As the earlier code stored it.
    async with api.db.write() as session:
        row = await session.get(tables.Invoice, first.invoice.id)
        assert row is not None
        row.request_fingerprint = earlier_form
    again = await create_one_off_invoice(api.db, org, keyed)
    assert again.replayed
    assert again.invoice.id == first.invoice.id
    other = OneOffInvoiceInput(**{**vars(keyed), "note": "other"})
    with pytest.raises(Rejected) as refused:
        await create_one_off_invoice(api.db, org, other)
    assert [error.code for error in refused.value.errors] == [ErrorCode.IDEMPOTENCY_KEY_REUSED]
