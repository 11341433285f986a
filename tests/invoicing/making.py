"""Making invoices for tests through the public API: customers, an add-on, an invoice."""

from __future__ import annotations

from typing import Any

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer
from tests.conftest import Api

CREATE_INVOICE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) {
    invoice { id number issuingDate customer { id } }
    userErrors { field code message }
  }
}
"""


async def invoice(api: Api, customer_id: str, add_on: str = "a") -> dict[str, Any]:
    data = await api(
        CREATE_INVOICE, input={"customerId": customer_id, "fees": [{"addOnCode": add_on}]}
    )
    payload: dict[str, Any] = data["createOneOffInvoice"]
    assert payload["userErrors"] == [], payload["userErrors"]
    created: dict[str, Any] = payload["invoice"]
    return created


async def customers_and_add_on(api: Api, *external_ids: str) -> list[str]:
    assert api.organization is not None
    org = api.organization.id
    await create_add_on(
        api.db, org, {"code": "a", "name": "A", "amount_cents": 1000, "amount_currency": "EUR"}
    )
    return [
        (await create_customer(api.db, org, {"external_id": external_id})).id
        for external_id in external_ids
    ]
