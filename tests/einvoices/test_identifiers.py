"""What e-invoices identify a seller and a buyer by beside their VAT numbers: a legal
registration number (BT-30, BT-47), printed on the document too, and a Peppol participant
identifier (BT-34, BT-49), the electronic address; set through the API, checked, frozen at
issue and written into both syntaxes."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from models.documents.store import invoice_pdf
from models.einvoices.cii import NS as CII
from models.einvoices.cii import cii_xml
from models.einvoices.terms import of_invoice
from models.einvoices.ubl import ubl_xml
from models.organizations.organizations import update_organization
from tests.conftest import Api
from tests.documents.test_content import text_of
from tests.einvoices.billing import Biller

ORGANIZATION = """
mutation($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) {
    organization { legalRegistrationNumber peppolId }
    userErrors { field code }
  }
}"""
CUSTOMER = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { legalRegistrationNumber peppolId }
    userErrors { field code }
  }
}"""
UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def xpath(xml: bytes, path: str, ns: dict[str, Any]) -> list[str]:
    return [str(found) for found in etree.fromstring(xml).xpath(path, namespaces=ns)]


async def test_both_identifiers_round_trip_for_an_organization_and_a_customer(api: Api) -> None:
    given = {"legalRegistrationNumber": " 552 081 317 ", "peppolId": "0208:0123456789"}
    organization = (await api(ORGANIZATION, input=given))["updateOrganization"]
    assert organization == {
        "organization": {"legalRegistrationNumber": "552 081 317", "peppolId": "0208:0123456789"},
        "userErrors": [],
    }
    customer = (await api(CUSTOMER, input={"externalId": "c", **given}))["createCustomer"]
    assert customer["customer"] == organization["organization"]
    cleared = await api(ORGANIZATION, input={"peppolId": None})
    assert cleared["updateOrganization"]["organization"]["peppolId"] is None


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"peppolId": "0123456789"}, "INVALID_VALUE"),  # no scheme
        ({"peppolId": "208:0123456789"}, "INVALID_VALUE"),  # a scheme is 4 digits
        ({"peppolId": "0208:01234 56789"}, "INVALID_VALUE"),
        ({"peppolId": "0208:" + "1" * 96}, "TOO_LONG"),
        ({"legalRegistrationNumber": "1" * 65}, "TOO_LONG"),
    ],
)
async def test_a_bad_identifier_is_refused_and_nothing_is_written(
    api: Api, given: dict[str, str], code: str
) -> None:
    before = await api("{ organization { legalRegistrationNumber peppolId } }")
    refused = (await api(ORGANIZATION, input=given))["updateOrganization"]
    assert refused["organization"] is None
    assert refused["userErrors"] == [{"field": list(given), "code": code}]
    assert await api("{ organization { legalRegistrationNumber peppolId } }") == before
    refused = (await api(CUSTOMER, input={"externalId": "c", **given}))["createCustomer"]
    assert refused["userErrors"] == [{"field": list(given), "code": code}]


async def test_e_invoices_carry_them_as_frozen_at_issue(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("1", "10000", ["vat20"])])
    # Changed after issue: the invoice keeps what it was issued with.
    await update_organization(api.db, biller.org, {"peppol_id": "0208:9999999999"})
    einvoice = of_invoice(await biller.issued(invoice_id))
    cii, ubl = cii_xml(einvoice), ubl_xml(einvoice)
    seller = "//ram:SellerTradeParty/"
    assert xpath(cii, seller + "ram:SpecifiedLegalOrganization/ram:ID/text()", CII) == ["552081317"]
    assert xpath(cii, seller + "ram:URIUniversalCommunication/ram:URIID/@schemeID", CII) == ["0009"]
    assert xpath(cii, seller + "ram:URIUniversalCommunication/ram:URIID/text()", CII) == [
        "55208131700036"
    ]
    supplier = "//cac:AccountingSupplierParty/cac:Party/"
    assert xpath(ubl, supplier + "cbc:EndpointID/@schemeID", UBL) == ["0009"]
    assert xpath(ubl, supplier + "cbc:EndpointID/text()", UBL) == ["55208131700036"]
    assert xpath(ubl, supplier + "cac:PartyLegalEntity/cbc:CompanyID/text()", UBL) == ["552081317"]
    # A buyer without a Peppol identifier is reached at its email (EAS scheme EM).
    customer = "//cac:AccountingCustomerParty/cac:Party/"
    assert xpath(ubl, customer + "cbc:EndpointID/@schemeID", UBL) == ["EM"]
    assert xpath(ubl, customer + "cbc:EndpointID/text()", UBL) == ["invoices@parc.example"]
    found = await invoice_pdf(api.db, biller.org, invoice_id)
    assert found is not None
    assert "Registration no.: 552081317" in text_of(found[1])
