"""An e-invoice as UN/CEFACT Cross Industry Invoice (D16B), the XML Factur-X embeds, in its
EN 16931 profile: elements in the order its schema requires, amounts as the invoice holds
them (two decimals in EUR, none in JPY), unit prices with every decimal they were given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias

from lxml import etree
from lxml.builder import ElementMaker

from models.billing.vat_categories import VatCategory
from models.einvoices.terms import INVOICE, UNIT, Breakdown, EInvoice, Line, Party

PROFILE = "urn:cen.eu:en16931:2017"  # BT-24: Factur-X's EN 16931 (Comfort) profile
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
RSM = ElementMaker(namespace=NS["rsm"], nsmap=NS)
RAM = ElementMaker(namespace=NS["ram"], nsmap=NS)
UDT = ElementMaker(namespace=NS["udt"], nsmap=NS)
# lxml ships no types: its elements are Any to mypy.
Element: TypeAlias = Any


def cii_xml(einvoice: EInvoice) -> bytes:
    document = RSM.CrossIndustryInvoice(
        RSM.ExchangedDocumentContext(
            RAM.GuidelineSpecifiedDocumentContextParameter(RAM.ID(PROFILE))
        ),
        RSM.ExchangedDocument(
            RAM.ID(einvoice.number),
            RAM.TypeCode(INVOICE),
            RAM.IssueDateTime(_date(einvoice.issue_date)),
            *([RAM.IncludedNote(RAM.Content(einvoice.note))] if einvoice.note else []),
        ),
        RSM.SupplyChainTradeTransaction(
            *(_line(line) for line in einvoice.lines),
            _agreement(einvoice),
            _delivery(einvoice),
            _settlement(einvoice),
        ),
    )
    return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))


def _date(value: date) -> Element:
    return UDT.DateTimeString(value.strftime("%Y%m%d"), format="102")


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _period(period: tuple[date, date]) -> Element:
    return RAM.BillingSpecifiedPeriod(
        RAM.StartDateTime(_date(period[0])), RAM.EndDateTime(_date(period[1]))
    )


def _line(line: Line) -> Element:
    product = [RAM.Name(line.name)]
    if line.description:
        product.append(RAM.Description(line.description))
    return RAM.IncludedSupplyChainTradeLineItem(
        RAM.AssociatedDocumentLineDocument(RAM.LineID(line.id)),
        RAM.SpecifiedTradeProduct(*product),
        RAM.SpecifiedLineTradeAgreement(
            RAM.NetPriceProductTradePrice(RAM.ChargeAmount(_decimal(line.unit_price)))
        ),
        RAM.SpecifiedLineTradeDelivery(RAM.BilledQuantity(_decimal(line.quantity), unitCode=UNIT)),
        RAM.SpecifiedLineTradeSettlement(
            RAM.ApplicableTradeTax(
                RAM.TypeCode("VAT"),
                RAM.CategoryCode(line.category.value),
                *_rate(line.rate),
            ),
            *([_period(line.period)] if line.period else []),
            RAM.SpecifiedTradeSettlementLineMonetarySummation(
                RAM.LineTotalAmount(_decimal(line.net_amount))
            ),
        ),
    )


def _rate(rate: Decimal | None) -> list[Element]:
    return [] if rate is None else [RAM.RateApplicablePercent(_decimal(rate))]


def _party(kind: str, party: Party) -> Element:
    address = [
        RAM.PostcodeCode(party.zipcode) if party.zipcode else None,
        RAM.LineOne(party.line1) if party.line1 else None,
        RAM.LineTwo(party.line2) if party.line2 else None,
        RAM.CityName(party.city) if party.city else None,
        RAM.CountryID(party.country),
        RAM.CountrySubDivisionName(party.state) if party.state else None,
    ]
    parts: list[Element] = [RAM.Name(party.name)]
    if party.registration:
        parts.append(RAM.SpecifiedLegalOrganization(RAM.ID(party.registration)))
    parts.append(RAM.PostalTradeAddress(*(part for part in address if part is not None)))
    if party.endpoint:
        scheme, identifier = party.endpoint
        parts.append(RAM.URIUniversalCommunication(RAM.URIID(identifier, schemeID=scheme)))
    if party.vat_id:
        parts.append(RAM.SpecifiedTaxRegistration(RAM.ID(party.vat_id, schemeID="VA")))
    return RAM(kind, *parts)


def _agreement(einvoice: EInvoice) -> Element:
    parts = [
        RAM.BuyerReference(einvoice.buyer_reference),
        _party("SellerTradeParty", einvoice.seller),
        _party("BuyerTradeParty", einvoice.buyer),
    ]
    if einvoice.purchase_order:
        parts.append(
            RAM.BuyerOrderReferencedDocument(RAM.IssuerAssignedID(einvoice.purchase_order))
        )
    return RAM.ApplicableHeaderTradeAgreement(*parts)


def _delivery(einvoice: EInvoice) -> Element:
    if not any(b.category == VatCategory.K for b in einvoice.breakdowns):
        return RAM.ApplicableHeaderTradeDelivery()
    # BR-IC-12: an intra-community supply says where it was delivered; a service billed to
    # a business is supplied where that business is established.
    return RAM.ApplicableHeaderTradeDelivery(
        RAM.ShipToTradeParty(RAM.PostalTradeAddress(RAM.CountryID(einvoice.buyer.country)))
    )


def _breakdown(tax: Breakdown) -> Element:
    parts = [RAM.CalculatedAmount(_decimal(tax.tax)), RAM.TypeCode("VAT")]
    if tax.reason:
        parts.append(RAM.ExemptionReason(tax.reason))
    parts += [RAM.BasisAmount(_decimal(tax.taxable)), RAM.CategoryCode(tax.category.value)]
    if tax.reason_code:
        parts.append(RAM.ExemptionReasonCode(tax.reason_code))
    return RAM.ApplicableTradeTax(*parts, *_rate(tax.rate))


def _settlement(einvoice: EInvoice) -> Element:
    return RAM.ApplicableHeaderTradeSettlement(
        RAM.InvoiceCurrencyCode(einvoice.currency),
        *(_breakdown(tax) for tax in einvoice.breakdowns),
        *([_period(einvoice.period)] if einvoice.period else []),
        RAM.SpecifiedTradePaymentTerms(
            RAM.Description(einvoice.payment_terms),
            RAM.DueDateDateTime(_date(einvoice.due_date)),
        ),
        RAM.SpecifiedTradeSettlementHeaderMonetarySummation(
            RAM.LineTotalAmount(_decimal(einvoice.line_total)),
            RAM.TaxBasisTotalAmount(_decimal(einvoice.tax_exclusive)),
            RAM.TaxTotalAmount(_decimal(einvoice.tax_total), currencyID=einvoice.currency),
            RAM.GrandTotalAmount(_decimal(einvoice.grand_total)),
            RAM.DuePayableAmount(_decimal(einvoice.due)),
        ),
    )
