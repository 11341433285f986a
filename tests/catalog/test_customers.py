"""A rejected updateCustomer writes nothing, its valid fields included, for its owner and for
another organization alike."""

from __future__ import annotations

from typing import Any

import pytest

from models.catalog.customers import create_customer
from models.catalog.taxes import create_tax
from tests.conftest import Api, MakeApi

UPDATE_CUSTOMER = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id name }
    userErrors { field code message }
  }
}
"""

READ_CUSTOMER = """
query($id: ID) {
  customer(id: $id) {
    externalId name email currency timezone netPaymentTerm taxes { code }
  }
}
"""


@pytest.mark.parametrize(
    ("bad", "code", "field"),
    [
        ({"email": "not-an-email"}, "INVALID_VALUE", ["email"]),
        ({"taxCodes": ["vat", "nope"]}, "TAX_NOT_FOUND", ["taxCodes", "1"]),
        ({"externalId": "taken"}, "TAKEN", ["externalId"]),
        ({"netPaymentTerm": -1}, "VALUE_OUT_OF_RANGE", ["netPaymentTerm"]),
    ],
    ids=["email", "tax code", "external id", "payment term"],
)
async def test_a_rejected_customer_update_keeps_the_valid_fields_out_too(
    api: Api, bad: dict[str, Any], code: str, field: list[str]
) -> None:
    assert api.organization is not None
    org = api.organization.id
    await create_tax(api.db, org, {"code": "vat", "name": "VAT", "rate": "20"})
    await create_tax(api.db, org, {"code": "eco", "name": "Eco", "rate": "5"})
    await create_customer(api.db, org, {"external_id": "taken"})
    customer = await create_customer(
        api.db,
        org,
        {"external_id": "c1", "name": "Old", "email": "old@example.com", "tax_codes": ["eco"]},
    )
    before = (await api(READ_CUSTOMER, id=customer.id))["customer"]

    data = await api(
        UPDATE_CUSTOMER,
        input={"id": customer.id, "name": "New", "timezone": "Europe/Paris", **bad},
    )

    payload = data["updateCustomer"]
    assert payload["customer"] is None
    assert {"code": code, "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert (await api(READ_CUSTOMER, id=customer.id))["customer"] == before


async def test_another_organizations_failed_update_leaves_the_customer_as_it_was(
    api: Api, make_api: MakeApi
) -> None:
    assert api.organization is not None
    customer = await create_customer(
        api.db, api.organization.id, {"external_id": "mine", "name": "Mine", "email": "a@b.co"}
    )
    before = (await api(READ_CUSTOMER, id=customer.id))["customer"]
    intruder = await make_api("Intruder")

    for change in (
        {"name": "pwned", "email": "evil@example.com", "externalId": "stolen"},
        {"name": "pwned", "email": "not-an-email"},
        {"currency": "USD", "taxCodes": []},
    ):
        data = await intruder(UPDATE_CUSTOMER, input={"id": customer.id, **change})
        payload = data["updateCustomer"]
        assert payload["customer"] is None
        assert "CUSTOMER_NOT_FOUND" in [e["code"] for e in payload["userErrors"]]

    assert (await api(READ_CUSTOMER, id=customer.id))["customer"] == before
    assert (await intruder(READ_CUSTOMER, id=customer.id))["customer"] is None
