"""The texts an invoice carries beyond its lines: the purchase order number and note given at
issue, and the organization's footer copied then; through GraphQL, the preview, the webhook
body, the document and the search."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from models.documents.store import invoice_pdf
from models.store import tables
from tests.conftest import Api
from tests.documents.test_content import text_of
from tests.invoicing.making import customers_and_add_on

TEXTS = "purchaseOrderNumber note footer"
CREATE = f"""
mutation($input: CreateOneOffInvoiceInput!) {{
  createOneOffInvoice(input: $input) {{
    invoice {{ id number {TEXTS} }} userErrors {{ field code message }}
  }}
}}
"""
PREVIEW = f"""
query($input: PreviewOneOffInvoiceInput!) {{
  previewOneOffInvoice(input: $input) {{
    preview {{ {TEXTS} }} userErrors {{ field code message }}
  }}
}}
"""
FOOTER = """
mutation($f: String) {
  updateOrganization(input: {invoiceFooter: $f}) {
    organization { invoiceFooter } userErrors { field code }
  }
}
"""
SEARCH = "query($t: String) { invoices(first: 10, searchTerm: $t) { nodes { id } } }"
PENALTIES = "Late payment: 3× the legal interest rate and a €40 recovery indemnity."


async def issue(api: Api, customer: str, **texts: Any) -> dict[str, Any]:
    given = {"customerId": customer, "fees": [{"addOnCode": "a"}], **texts}
    payload: dict[str, Any] = (await api(CREATE, input=given))["createOneOffInvoice"]
    return payload


async def test_the_texts_round_trip_and_the_footer_is_copied_at_issue(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    footer = (await api(FOOTER, f=PENALTIES))["updateOrganization"]
    assert footer == {"organization": {"invoiceFooter": PENALTIES}, "userErrors": []}
    texts = {"purchaseOrderNumber": " PO-2026-0042 ", "note": "Thank you for your order."}
    given = {"customerId": customer, "fees": [{"addOnCode": "a"}], **texts}
    preview = (await api(PREVIEW, input=given))["previewOneOffInvoice"]["preview"]
    created = await issue(api, customer, **texts)
    assert created["userErrors"] == []
    invoice = created["invoice"]
    expected = {
        "purchaseOrderNumber": "PO-2026-0042",
        "note": "Thank you for your order.",
        "footer": PENALTIES,
    }
    assert {k: invoice[k] for k in expected} == expected
    assert preview == expected

    # The webhook body carries them.
    async with api.db.read() as session:
        event = (
            await session.exec(
                select(tables.Event).where(col(tables.Event.object_id) == invoice["id"])
            )
        ).one()
    body: dict[str, Any] = event.payload["invoice"]  # type: ignore[assignment]
    assert (body["purchase_order_number"], body["note"], body["footer"]) == (
        "PO-2026-0042",
        "Thank you for your order.",
        PENALTIES,
    )

    # A later footer is the next invoices', never an issued one's.
    await api(FOOTER, f="New terms.")
    later = (await issue(api, customer))["invoice"]
    assert later["footer"] == "New terms."
    assert later["purchaseOrderNumber"] is None
    assert api.organization is not None
    found = await invoice_pdf(api.db, api.organization.id, invoice["id"])
    assert found is not None
    text = " ".join(text_of(found[1]).split())
    assert "Purchase order: PO-2026-0042" in text
    assert "Thank you for your order." in text
    assert " ".join(PENALTIES.split()) in text
    assert "New terms." not in text


async def test_search_finds_an_invoice_by_its_purchase_order_number(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    mine = (await issue(api, customer, purchaseOrderNumber="PO-7781"))["invoice"]
    await issue(api, customer, purchaseOrderNumber="PO-1234")
    found = (await api(SEARCH, t="po-77"))["invoices"]["nodes"]
    assert [node["id"] for node in found] == [mine["id"]]


async def test_texts_over_their_bounds_are_refused_and_nothing_is_written(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    refused = await issue(api, customer, purchaseOrderNumber="P" * 101, note="n" * 1001)
    assert refused["invoice"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["purchaseOrderNumber"], "TOO_LONG"),
        (["note"], "TOO_LONG"),
    ]
    given = {
        "customerId": customer,
        "fees": [{"addOnCode": "a"}],
        "purchaseOrderNumber": "P" * 101,
        "note": "n" * 1001,
    }
    previewed = (await api(PREVIEW, input=given))["previewOneOffInvoice"]
    assert previewed["userErrors"] == refused["userErrors"]
    footer = (await api(FOOTER, f="f" * 1001))["updateOrganization"]
    assert footer["userErrors"] == [{"field": ["invoiceFooter"], "code": "TOO_LONG"}]
    async with api.db.read() as session:
        assert list(await session.exec(select(tables.Invoice))) == []


async def test_the_texts_are_part_of_the_idempotency_fingerprint(api: Api) -> None:
    (customer,) = await customers_and_add_on(api, "c")
    first = await issue(api, customer, idempotencyKey="k", note="one")
    again = await issue(api, customer, idempotencyKey="k", note="one")
    assert again["invoice"]["id"] == first["invoice"]["id"]
    for other in ({"note": "two"}, {"note": "one", "purchaseOrderNumber": "PO-1"}):
        reused = await issue(api, customer, idempotencyKey="k", **other)
        assert [e["code"] for e in reused["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
