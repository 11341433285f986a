"""Text no database stores (a NUL, an unpaired surrogate) is refused by the core itself, with a
code and the field's path, not only by the server in front of it (graph/refusals.py): an
in-process caller once got a 500-like driver error from PostgreSQL for a fee's description."""

from __future__ import annotations

import pytest

from models.inputs.errors import ErrorCode, Rejected
from models.invoicing.create import create_one_off_invoice
from models.invoicing.preview import preview_one_off_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on
from tests.invoicing.test_create import counts


@pytest.mark.parametrize("unstorable", ["\ud800", "a\x00b", "\udfff end"])
async def test_unstorable_text_is_refused_with_its_path_and_nothing_is_written(
    api: Api, unstorable: str
) -> None:
    assert api.organization is not None
    org = api.organization.id
    (customer,) = await customers_and_add_on(api, "c1")
    request = OneOffInvoiceInput(
        customer_id=customer,
        fees=[FeeInput(add_on_code="a", description=unstorable)],
        note=unstorable,
        metadata={"order": unstorable},
    )
    before = await counts(api)
    for attempt in (create_one_off_invoice, preview_one_off_invoice):
        with pytest.raises(Rejected) as refused:
            await attempt(api.db, org, request)
        found = {(error.code, error.field) for error in refused.value.errors}
        assert found == {
            (ErrorCode.INVALID_VALUE, ("fees", "0", "description")),
            (ErrorCode.INVALID_VALUE, ("note",)),
            (ErrorCode.INVALID_VALUE, ("metadata", "order")),
        }, attempt
    assert await counts(api) == before
