"""A webhook receiver gets what it needs to fetch an invoice's e-invoices with no API call:
in the signed body, links to the Factur-X PDF and the UBL that open on the server the
organization's public URL names, and, once voided, no UBL and the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import facturx
import httpx
import pytest
from standardwebhooks import Webhook

from tests.einvoices.official import ubl_xsd_errors
from tests.receiver import Receiver
from tests.server import Server, create_organization_key, free_port, start_server
from tests.webhooks.test_delivery import ENV, Tenant

IDENTITY = """mutation {
  updateOrganization(input: {legalName: "Acme Publishing SAS", addressLine1: "1 rue de la Paix",
    city: "Paris", zipcode: "75002", country: "FR", taxIdentificationNumber: "FR12345678901"})
  { userErrors { code } }
  createTax(input: {code: "vat", name: "TVA", rate: "20", appliedToOrganization: true})
  { userErrors { code } }
  createCustomer(input: {externalId: "c1", name: "Parc GmbH", country: "DE",
    taxIdentificationNumber: "DE987654321", currency: EUR}) { userErrors { code } }
  createAddOn(input: {code: "setup", name: "Setup", amountCents: 1000, amountCurrency: EUR})
  { userErrors { code } }
}"""
CREATE = """mutation {
  createOneOffInvoice(input: {externalCustomerId: "c1", fees: [{addOnCode: "setup"}]})
  { invoice { id number } userErrors { code } }
}"""


@pytest.fixture
def public_server(tmp_path: Path, fresh_database: Callable[[], str]) -> Iterator[Server]:
    # Links in a webhook body name the server by ONEOFF_PUBLIC_URL: this server's own.
    port = free_port()
    server = start_server(
        fresh_database(),
        log_dir=tmp_path / "servers",
        port=port,
        env_overrides={**ENV, "ONEOFF_PUBLIC_URL": f"http://127.0.0.1:{port}"},
    )
    yield server
    server.stop()


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=20, trust_env=False)


def test_the_webhook_body_links_to_the_factur_x_pdf_and_the_ubl(public_server: Server) -> None:
    with public_server.client() as http, Receiver() as receiver:
        acme = Tenant(http, create_organization_key(public_server.database_url, "Acme"))
        acme(IDENTITY)
        _, secret = acme.endpoint(receiver.url)
        invoice = acme(CREATE)["createOneOffInvoice"]["invoice"]

        (request,) = receiver.wait_for(lambda requests: len(requests) >= 1)
        body: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)["invoice"]
        assert body["e_invoice"]["available"] is True
        assert body["e_invoice"]["problems"] == []
        base = f"{public_server.base_url}/documents/invoices/"
        assert body["file_url"].startswith(base)
        assert body["e_invoice"]["ubl_url"] == body["file_url"] + "/ubl"
        ubl = _get(body["e_invoice"]["ubl_url"])
        assert ubl.status_code == 200
        assert ubl.headers["content-type"] == "application/xml"
        assert ubl_xsd_errors(ubl.content) == []
        assert f"<cbc:ID>{invoice['number']}</cbc:ID>".encode() in ubl.content
        pdf = _get(body["file_url"])
        assert facturx.get_xml_from_pdf(pdf.content, check_xsd=True)[0] == "factur-x.xml"

        void = f'mutation {{ voidInvoice(id: "{invoice["id"]}") {{ userErrors {{ code }} }} }}'
        assert acme(void)["voidInvoice"]["userErrors"] == []
        requests = receiver.wait_for(lambda requests: len(requests) >= 2)
        voided = Webhook(secret).verify(requests[1].body, requests[1].headers)["invoice"]
        assert voided["status"] == "voided"
        assert voided["e_invoice"]["available"] is False
        assert voided["e_invoice"]["ubl_url"] is None
        assert [p["code"] for p in voided["e_invoice"]["problems"]] == ["INVOICE_VOIDED"]
        # The link the first body gave no longer opens a UBL: a voided invoice is none.
        assert _get(body["e_invoice"]["ubl_url"]).status_code == 410
