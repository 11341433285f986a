"""E-invoices as an API client sees them: `Invoice.eInvoice` says whether an invoice has its
EN 16931 e-invoices, where its UBL is and why not; the UBL link opens the XML without an API
key on a real server, kept as first made, and the PDF beside it is Factur-X. Each reason an
invoice has none, with the organization, customer and taxes set up through the API, still
issues the invoice, as a PDF without XML and with no UBL link; that link answers 404 naming
the reasons, 410 once the invoice is voided, 403 when tampered with or signed for another
organization's invoice. A page of invoices reads its e-invoice problems in a fixed number of
SQL statements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import facturx
import httpx
import pytest

from models.documents.links import link_secret, sign
from models.documents.store import invoice_pdf
from models.store.db import Database
from tests.conftest import Api, MakeApi
from tests.einvoices.official import ubl_xsd_errors
from tests.graph.test_invoice_queries import counting
from tests.http_api import Http, create_organization_key
from tests.server import Server, StartServer, server_factory

__all__ = ["server_factory"]


# The in-process `Api` and the HTTP `Http` alike: a GraphQL document in, its data out.
Call = Callable[..., Awaitable[dict[str, Any]]]


SELLER: dict[str, Any] = {
    "legalName": "Acme Publishing SAS",
    "email": "billing@acme.example",
    "addressLine1": "1 rue de la Paix",
    "zipcode": "75002",
    "city": "Paris",
    "country": "FR",
    "taxIdentificationNumber": "FR12345678901",
}
BUYER: dict[str, Any] = {
    "externalId": "c1",
    "name": "Librairie du Parc GmbH",
    "email": "invoices@parc.example",
    "addressLine1": "Hauptstraße 5",
    "zipcode": "10115",
    "city": "Berlin",
    "country": "DE",
    "taxIdentificationNumber": "DE987654321",
}
TAXES: dict[str, dict[str, Any]] = {
    "vat20": {"rate": "20", "category": "S"},
    "vat20b": {"rate": "20", "category": "S"},
    "vat10": {"rate": "10", "category": "S"},
    # No category: S, as every tax made before categories existed, at 0 % all the same.
    "s0": {"rate": "0"},
    "reverse": {
        "rate": "0",
        "category": "AE",
        "exemptionReason": "Reverse charge",
        "exemptionReasonCode": "VATEX-EU-AE",
    },
    "intra": {
        "rate": "0",
        "category": "K",
        "exemptionReason": "Intra-community supply",
        "exemptionReasonCode": "VATEX-EU-IC",
    },
    "outside": {
        "rate": "0",
        "category": "O",
        "exemptionReason": "Not subject to VAT",
        "exemptionReasonCode": "VATEX-EU-O",
    },
}
PERIOD = {"fromDatetime": "2026-11-01T00:00:00+00:00", "toDatetime": "2026-12-01T00:00:00+00:00"}

EINVOICE = "eInvoice { available ublUrl problems { code message } }"
READ = f"query($id: ID!) {{ invoice(id: $id) {{ id number fileUrl {EINVOICE} }} }}"
ISSUE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) { invoice { id } userErrors { field code message } }
}"""
VOID = "mutation($id: ID!) { voidInvoice(id: $id) { userErrors { code message } } }"
PAGE = """query($n: Int!) {
  invoices(first: $n) { nodes { eInvoice { available problems { code } } } }
}"""


def without(fields: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if name not in names}


async def set_up(
    call: Call, *, seller: dict[str, Any] = SELLER, buyer: dict[str, Any] = BUYER
) -> str:
    """The organization's identity, every tax of TAXES, an add-on per currency and one
    customer, in one document; the customer's id."""
    taxes = [{"code": code, "name": f"Tax {code}", **fields} for code, fields in TAXES.items()]
    declarations = [f"$t{i}: CreateTaxInput!" for i in range(len(taxes))]
    document = (
        "mutation($seller: UpdateOrganizationInput!, $buyer: CreateCustomerInput!, "
        + ", ".join(declarations)
        + ") { org: updateOrganization(input: $seller) { userErrors { field code message } }\n"
        + "".join(
            f"t{i}: createTax(input: $t{i}) {{ userErrors {{ field code message }} }}\n"
            for i in range(len(taxes))
        )
        + "".join(
            f'{currency}: createAddOn(input: {{code: "svc-{currency}", name: "Consulting", '
            f"amountCents: 10000, amountCurrency: {currency}}}) "
            "{ userErrors { field code message } }\n"
            for currency in ("EUR", "KWD")
        )
        + "customer: createCustomer(input: $buyer) "
        "{ customer { id } userErrors { field code message } } }"
    )
    data = await call(
        document, seller=seller, buyer=buyer, **{f"t{i}": tax for i, tax in enumerate(taxes)}
    )
    refused = {name: payload["userErrors"] for name, payload in data.items()}
    assert not any(refused.values()), refused
    customer_id: str = data["customer"]["customer"]["id"]
    return customer_id


async def issue(
    call: Call,
    customer_id: str,
    fees: list[list[str]],
    *,
    currency: str = "EUR",
    period: bool = False,
) -> dict[str, Any]:
    """An invoice of one fee of the add-on's price per entry of `fees` (its tax codes),
    read back as `invoice(id:)` answers."""
    created = await call(
        ISSUE,
        input={
            "customerId": customer_id,
            "currency": currency,
            "fees": [
                {"addOnCode": f"svc-{currency}", "taxCodes": codes, **(PERIOD if period else {})}
                for codes in fees
            ],
        },
    )
    payload = created["createOneOffInvoice"]
    assert payload["userErrors"] == [], payload
    invoice: dict[str, Any] = (await call(READ, id=payload["invoice"]["id"]))["invoice"]
    return invoice


def get(url: str) -> httpx.Response:
    # A browser's request, or an accounting tool's: no API key, no proxy.
    return httpx.get(url, timeout=20, trust_env=False)


async def on_server(server: Server, name: str = "Acme") -> tuple[Http, str]:
    http = Http(server.base_url, await create_organization_key(server.database_url, name))
    return http, await set_up(http)


def assert_ubl_link_of(invoice: dict[str, Any]) -> None:
    """ublUrl is fileUrl with /ubl after it: one token per invoice and answer, whatever
    second each field was resolved in."""
    assert invoice["eInvoice"]["ublUrl"] == invoice["fileUrl"] + "/ubl"


def codes(invoice: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in invoice["eInvoice"]["problems"]]


async def test_a_conformant_invoice_opens_its_ubl_and_its_pdf_is_factur_x(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    http, customer_id = await on_server(server)
    invoice = await issue(http, customer_id, [["vat20"], ["vat10"]])
    assert invoice["eInvoice"]["available"] is True
    assert invoice["eInvoice"]["problems"] == []
    ubl_url = invoice["eInvoice"]["ublUrl"]
    assert_ubl_link_of(invoice)
    assert ubl_url.startswith(f"{server.base_url}/documents/invoices/")

    answer = get(ubl_url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/xml"
    assert f"{invoice['number']}.xml" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "private, no-store"
    assert ubl_xsd_errors(answer.content) == []
    assert invoice["number"].encode() in answer.content
    # Kept as first made: what an accounting tool booked is what it gets again.
    assert get(ubl_url).content == answer.content
    assert get(invoice["fileUrl"] + "/ubl").content == answer.content

    pdf = get(invoice["fileUrl"])
    assert pdf.status_code == 200
    filename, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert isinstance(xml, bytes)
    assert invoice["number"].encode() in xml


@dataclass(frozen=True)
class Case:
    expected: list[str]
    fees: list[list[str]] = field(default_factory=lambda: [["vat20"]])
    seller: dict[str, Any] = field(default_factory=lambda: SELLER)
    buyer: dict[str, Any] = field(default_factory=lambda: BUYER)
    currency: str = "EUR"


CASES = {
    "no legal name": Case(["SELLER_LEGAL_NAME_MISSING"], seller=without(SELLER, "legalName")),
    "no address": Case(
        ["SELLER_ADDRESS_MISSING"],
        seller=without(SELLER, "addressLine1", "zipcode", "city", "country"),
    ),
    "no VAT id": Case(["SELLER_VAT_ID_MISSING"], seller=without(SELLER, "taxIdentificationNumber")),
    "VAT id without country": Case(
        ["SELLER_VAT_ID_INVALID"], seller=SELLER | {"taxIdentificationNumber": "12345"}
    ),
    "customer without country": Case(["BUYER_COUNTRY_MISSING"], buyer=without(BUYER, "country")),
    "reverse charge to a customer without VAT id": Case(
        ["BUYER_VAT_ID_MISSING"],
        fees=[["reverse"]],
        buyer=without(BUYER, "taxIdentificationNumber"),
    ),
    "fee without tax": Case(["FEE_WITHOUT_TAX"], fees=[[]]),
    "fee with two taxes": Case(["FEE_WITH_SEVERAL_TAXES"], fees=[["vat20", "vat10"]]),
    "standard rate of 0": Case(["STANDARD_RATE_ZERO"], fees=[["s0"]]),
    "two standard taxes at one rate": Case(
        ["TAXES_SHARE_CATEGORY_AND_RATE"], fees=[["vat20"], ["vat20b"]]
    ),
    # SELLER has no legal registration number, by which an invoice outside the scope of VAT
    # identifies the seller.
    "outside the scope with standard": Case(
        ["SELLER_REGISTRATION_MISSING", "OUTSIDE_SCOPE_MIXED"], fees=[["outside"], ["vat20"]]
    ),
    "outside the scope alone": Case(["SELLER_REGISTRATION_MISSING"], fees=[["outside"]]),
    "intra-community without period": Case(["PERIOD_MISSING"], fees=[["intra"]]),
    "KWD": Case(["CURRENCY_DECIMALS"], currency="KWD"),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_each_reason_is_told_and_the_invoice_is_issued_without_xml(
    api: Api, name: str
) -> None:
    case = CASES[name]
    assert api.organization is not None
    customer_id = await set_up(api, seller=case.seller, buyer=case.buyer)
    invoice = await issue(api, customer_id, case.fees, currency=case.currency)
    assert codes(invoice) == case.expected
    assert all(problem["message"] for problem in invoice["eInvoice"]["problems"])
    assert invoice["eInvoice"]["available"] is False
    assert invoice["eInvoice"]["ublUrl"] is None
    assert invoice["number"]
    assert invoice["fileUrl"]
    found = await invoice_pdf(api.db, api.organization.id, invoice["id"])
    assert found is not None
    assert found[0] == invoice["number"]
    assert facturx.get_xml_from_pdf(found[1], check_xsd=False) == (False, False)


async def test_an_intra_community_supply_with_its_period_given_through_the_api_is_conformant(
    api: Api,
) -> None:
    # The counterpart of "intra-community without period": fromDatetime and toDatetime reach
    # the rule.
    customer_id = await set_up(api)
    invoice = await issue(api, customer_id, [["intra"]], period=True)
    assert invoice["eInvoice"]["problems"] == []
    assert_ubl_link_of(invoice)


async def test_the_ubl_link_answers_404_with_the_reasons_then_410_once_voided(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    key = await create_organization_key(server.database_url)
    http = Http(server.base_url, key)
    customer_id = await set_up(http, seller=without(SELLER, "legalName"))
    refused = await issue(http, customer_id, [[]])
    assert codes(refused) == ["SELLER_LEGAL_NAME_MISSING", "FEE_WITHOUT_TAX"]
    # The link a client would build from the documented rule, since it is given none.
    answer = get(refused["fileUrl"] + "/ubl")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["cache-control"] == "private, no-store"
    assert "SELLER_LEGAL_NAME_MISSING" in answer.text
    assert "FEE_WITHOUT_TAX" in answer.text
    assert "<?xml" not in answer.text

    # Its legal name given now: the invoice issued without one keeps none.
    named = await http(
        "mutation($s: UpdateOrganizationInput!) { updateOrganization(input: $s) "
        "{ userErrors { code } } }",
        s=SELLER,
    )
    assert named["updateOrganization"]["userErrors"] == []
    assert codes((await http(READ, id=refused["id"]))["invoice"])[0] == "SELLER_LEGAL_NAME_MISSING"
    invoice = await issue(http, customer_id, [["vat20"]])
    ubl_url = invoice["eInvoice"]["ublUrl"]
    assert get(ubl_url).status_code == 200
    voided = await http(VOID, id=invoice["id"])
    assert voided["voidInvoice"]["userErrors"] == []
    after = (await http(READ, id=invoice["id"]))["invoice"]
    assert after["eInvoice"]["available"] is False
    assert after["eInvoice"]["ublUrl"] is None
    assert codes(after) == ["INVOICE_VOIDED"]
    # Even the UBL kept from before: a voided invoice must not be booked any more.
    gone = get(ubl_url)
    assert gone.status_code == 410
    assert b"<?xml" not in gone.content
    assert get(invoice["fileUrl"]).status_code == 200  # its VOID document


async def test_a_tampered_or_foreign_ubl_link_answers_403(server_factory: StartServer) -> None:
    server = server_factory()
    mine, my_customer = await on_server(server, "Acme")
    theirs, their_customer = await on_server(server, "Other")
    invoice = await issue(mine, my_customer, [["vat20"]])
    their_invoice = await issue(theirs, their_customer, [["vat20"]])
    my_org = (await mine("{ organization { id } }"))["organization"]["id"]
    ubl_url = invoice["eInvoice"]["ublUrl"]
    base, token, ubl = ubl_url.rsplit("/", 2)
    assert ubl == "ubl"
    # Inside the signature: the last character's low bits are base64 padding, ignored.
    middle = len(token) - 10
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    db = Database(server.database_url)
    try:
        secret = await link_secret(db, None)
    finally:
        await db.dispose()

    assert (await mine(READ, id=their_invoice["id"]))["invoice"] is None
    for bad in (
        f"{base}/{flipped}/ubl",
        f"{base}/{token[:20]}/ubl",
        # Genuinely signed, but for my organization and their invoice: read within mine, it
        # is not there.
        f"{base}/{sign(secret, my_org, their_invoice['id'])}/ubl",
    ):
        answer = get(bad)
        assert answer.status_code == 403, bad
        assert b"<?xml" not in answer.content
    # Neither link is broken in itself.
    assert get(ubl_url).status_code == 200
    assert get(their_invoice["eInvoice"]["ublUrl"]).status_code == 200


async def test_a_page_reads_its_e_invoices_in_as_many_statements_for_20_as_for_2(
    make_api: MakeApi,
) -> None:
    async def statements(count: int) -> tuple[list[dict[str, Any]], list[str]]:
        api = await make_api(f"Org of {count}")
        customer_id = await set_up(api)
        for index in range(count):
            # Conformant and not, alternately, so that both kinds are in the page.
            await issue(api, customer_id, [["vat20"] if index % 2 else []])
        with counting(api) as sent:
            nodes: list[dict[str, Any]] = (await api(PAGE, n=count))["invoices"]["nodes"]
        return nodes, sent

    two, small = await statements(2)
    twenty, large = await statements(20)
    assert len(two) == 2
    assert len(twenty) == 20
    assert sorted(node["eInvoice"]["available"] for node in twenty) == [False] * 10 + [True] * 10
    assert len(large) == len(small), (small, large)
