"""An e-invoice as an OASIS UBL 2.1 Invoice in Peppol BIS Billing 3.0, the syntax Peppol's
network carries and EN 16931's other binding: the same business terms as cii.py, in the
order UBL's schema requires, every amount with its currency, amounts as the invoice holds
them (two decimals in EUR, none in JPY) and unit prices with every decimal they were given.

Peppol wants no empty element, so whatever the invoice does not say is left out, never
written blank.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypeAlias

from lxml import etree
from lxml.builder import ElementMaker

from models.billing.vat_categories import VatCategory
from models.einvoices.terms import INVOICE, UNIT, Breakdown, EInvoice, Line, Party

# BT-24 and BT-23: EN 16931 as Peppol BIS Billing 3.0 restricts it, in its billing process.
CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
VAT = "VAT"
NS = {
    None: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
UBL = ElementMaker(namespace=NS[None], nsmap=NS)
CAC = ElementMaker(namespace=NS["cac"], nsmap=NS)
CBC = ElementMaker(namespace=NS["cbc"], nsmap=NS)
# lxml ships no types: its elements are Any to mypy.
Element: TypeAlias = Any


def ubl_xml(einvoice: EInvoice) -> bytes:
    currency = einvoice.currency
    document = UBL.Invoice(
        CBC.CustomizationID(CUSTOMIZATION),
        CBC.ProfileID(PROFILE),
        CBC.ID(einvoice.number),
        CBC.IssueDate(_date(einvoice.issue_date)),
        CBC.DueDate(_date(einvoice.due_date)),
        CBC.InvoiceTypeCode(INVOICE),
        *([CBC.Note(einvoice.note)] if einvoice.note else []),
        CBC.DocumentCurrencyCode(einvoice.currency),
        CBC.BuyerReference(einvoice.buyer_reference),
        *([_period(einvoice.period)] if einvoice.period else []),
        *([CAC.OrderReference(CBC.ID(einvoice.purchase_order))] if einvoice.purchase_order else []),
        CAC.AccountingSupplierParty(_party(einvoice.seller)),
        CAC.AccountingCustomerParty(_party(einvoice.buyer)),
        *_delivery(einvoice),
        CAC.PaymentTerms(CBC.Note(einvoice.payment_terms)),
        CAC.TaxTotal(
            _amount("TaxAmount", einvoice.tax_total, currency),
            *(_breakdown(tax, currency) for tax in einvoice.breakdowns),
        ),
        CAC.LegalMonetaryTotal(
            _amount("LineExtensionAmount", einvoice.line_total, currency),
            _amount("TaxExclusiveAmount", einvoice.tax_exclusive, currency),
            _amount("TaxInclusiveAmount", einvoice.grand_total, currency),
            _amount("PayableAmount", einvoice.due, currency),
        ),
        *(_line(line, currency) for line in einvoice.lines),
    )
    return bytes(etree.tostring(document, xml_declaration=True, encoding="UTF-8"))


def _date(value: date) -> str:
    return value.isoformat()


def _decimal(value: Decimal) -> str:
    return format(value, "f")


def _amount(name: str, value: Decimal, currency: str) -> Element:
    # UBL's amounts each name their currency, even where it can only be the invoice's.
    return CBC(name, _decimal(value), currencyID=currency)


def _period(period: tuple[date, date]) -> Element:
    return CAC.InvoicePeriod(CBC.StartDate(_date(period[0])), CBC.EndDate(_date(period[1])))


def _category(kind: str, category: VatCategory, rate: Decimal | None, *reasons: Element) -> Element:
    # A line's category (ClassifiedTaxCategory) and a breakdown's (TaxCategory, which alone
    # carries the exemption reason) are one type in UBL.
    percent = [] if rate is None else [CBC.Percent(_decimal(rate))]
    return CAC(kind, CBC.ID(category.value), *percent, *reasons, CAC.TaxScheme(CBC.ID(VAT)))


def _breakdown(tax: Breakdown, currency: str) -> Element:
    reasons = [
        CBC.TaxExemptionReasonCode(tax.reason_code) if tax.reason_code else None,
        CBC.TaxExemptionReason(tax.reason) if tax.reason else None,
    ]
    return CAC.TaxSubtotal(
        _amount("TaxableAmount", tax.taxable, currency),
        _amount("TaxAmount", tax.tax, currency),
        _category(
            "TaxCategory",
            tax.category,
            tax.rate,
            *(reason for reason in reasons if reason is not None),
        ),
    )


def _party(party: Party) -> Element:
    address = [
        CBC.StreetName(party.line1) if party.line1 else None,
        CBC.AdditionalStreetName(party.line2) if party.line2 else None,
        CBC.CityName(party.city) if party.city else None,
        CBC.PostalZone(party.zipcode) if party.zipcode else None,
        CBC.CountrySubentity(party.state) if party.state else None,
        CAC.Country(CBC.IdentificationCode(party.country)),
    ]
    parts: list[Element] = []
    if party.endpoint:
        scheme, identifier = party.endpoint
        parts.append(CBC.EndpointID(identifier, schemeID=scheme))
    parts.append(CAC.PostalAddress(*(part for part in address if part is not None)))
    if party.vat_id:
        parts.append(CAC.PartyTaxScheme(CBC.CompanyID(party.vat_id), CAC.TaxScheme(CBC.ID(VAT))))
    registration = [CBC.CompanyID(party.registration)] if party.registration else []
    parts.append(CAC.PartyLegalEntity(CBC.RegistrationName(party.name), *registration))
    return CAC.Party(*parts)


def _delivery(einvoice: EInvoice) -> list[Element]:
    if not any(b.category == VatCategory.K for b in einvoice.breakdowns):
        return []
    # BR-IC-12: an intra-community supply says where it was delivered; a service billed to
    # a business is supplied where that business is established.
    return [
        CAC.Delivery(
            CAC.DeliveryLocation(
                CAC.Address(CAC.Country(CBC.IdentificationCode(einvoice.buyer.country)))
            )
        )
    ]


def _line(line: Line, currency: str) -> Element:
    item = [CBC.Description(line.description)] if line.description else []
    return CAC.InvoiceLine(
        CBC.ID(line.id),
        CBC.InvoicedQuantity(_decimal(line.quantity), unitCode=UNIT),
        _amount("LineExtensionAmount", line.net_amount, currency),
        *([_period(line.period)] if line.period else []),
        CAC.Item(
            *item,
            CBC.Name(line.name),
            _category("ClassifiedTaxCategory", line.category, line.rate),
        ),
        CAC.Price(_amount("PriceAmount", line.unit_price, currency)),
    )
