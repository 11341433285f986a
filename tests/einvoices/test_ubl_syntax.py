"""The UBL of each kind of invoice we issue passes the UBL 2.1 XSD and CEN's EN 16931 UBL
Schematron, not even a warning, and an invoice whose amounts do not add up fails it; outside
the scope of VAT (O), only with the seller's legal registration number.

The EInvoices are built by hand, their breakdowns and totals computed as EN 16931 wants
them: a breakdown's tax is its taxable amount × rate / 100, rounded half up to the
currency's decimals (BR-CO-17), and the totals are sums (BR-CO-10 to BR-CO-15).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from lxml import etree

from models.billing.money import currency_exponent
from models.billing.vat_categories import VatCategory
from models.einvoices.terms import Breakdown, EInvoice, Line, Party
from models.einvoices.ubl import CUSTOMIZATION, PROFILE, ubl_xml
from tests.einvoices.official import schematron_failures, ubl_xsd_errors

S, E, AE, K = VatCategory.S, VatCategory.E, VatCategory.AE, VatCategory.K
O = VatCategory.O  # noqa: E741 (the code's own name)
NAMESPACES = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
SELLER = Party(
    name="Société Exemple SAS",
    vat_id="FR32123456789",
    line1="12 rue de la Paix",
    line2="Bâtiment B",
    city="Paris",
    zipcode="75002",
    state="Île-de-France",
    country="FR",
    email="factures@exemple.fr",
)
BUYER = Party(
    name="Client SARL",
    vat_id="FR44987654321",
    line1="3 quai Saint-Antoine",
    line2=None,
    city="Lyon",
    zipcode="69002",
    state=None,
    country="FR",
    email="compta@client.fr",
)
EU_BUYER = dataclasses.replace(
    BUYER,
    name="Kunde GmbH",
    vat_id="DE123456789",
    line1="Hauptstraße 1",
    city="Berlin",
    zipcode="10115",
    country="DE",
    email=None,
)
JANUARY = (date(2024, 1, 1), date(2024, 1, 31))
# (BT-121, BT-120) of each exempting category; E's has no code, to show a text is enough.
REASONS: dict[VatCategory, tuple[str | None, str | None]] = {
    E: (None, "Exonération de TVA, article 261-4-4° du CGI"),
    AE: ("VATEX-EU-AE", "Autoliquidation"),
    K: ("VATEX-EU-IC", "Livraison intracommunautaire exonérée, article 262 ter I du CGI"),
    O: ("VATEX-EU-O", "Non soumis à la TVA"),
}


def line(
    number: int,
    quantity: str,
    unit_price: str,
    category: VatCategory = S,
    rate: str | None = "20",
    exponent: int = 2,
    **changes: Any,
) -> Line:
    net = (Decimal(quantity) * Decimal(unit_price)).quantize(Decimal(1).scaleb(-exponent))
    # The model's lines come with their net amount: this one must be exact already.
    assert net == Decimal(quantity) * Decimal(unit_price), "net amount would be rounded"
    return dataclasses.replace(
        Line(
            id=str(number),
            name=f"Add-on {number}",
            description=None,
            quantity=Decimal(quantity),
            unit_price=Decimal(unit_price),
            net_amount=net,
            category=category,
            rate=None if rate is None else Decimal(rate),
            period=None,
        ),
        **changes,
    )


def einvoice(lines: Sequence[Line], currency: str = "EUR", **changes: Any) -> EInvoice:
    exponent = currency_exponent(currency)
    breakdowns = []
    for category, rate in dict.fromkeys((item.category, item.rate) for item in lines):
        taxable = sum(
            (item.net_amount for item in lines if (item.category, item.rate) == (category, rate)),
            Decimal(0),
        )
        tax = (taxable * (rate or 0) / 100).quantize(
            Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP
        )
        code, reason = REASONS.get(category, (None, None))
        breakdowns.append(Breakdown(category, rate, taxable, tax, reason, code))
    line_total = sum((item.net_amount for item in lines), Decimal(0))
    tax_total = sum((b.tax for b in breakdowns), Decimal(0))
    return dataclasses.replace(
        EInvoice(
            number="INV-2024-0001",
            issue_date=date(2024, 2, 1),
            currency=currency,
            due_date=date(2024, 3, 2),
            buyer_reference="cust-42",
            purchase_order=None,
            note=None,
            payment_terms="Net 30 days: due 2024-03-02",
            seller=SELLER,
            buyer=BUYER,
            period=None,
            lines=tuple(lines),
            breakdowns=tuple(breakdowns),
            line_total=line_total,
            tax_exclusive=line_total,
            tax_total=tax_total,
            grand_total=line_total + tax_total,
            due=line_total + tax_total,
        ),
        **changes,
    )


STANDARD = einvoice(
    [line(1, "2", "50.00", description="Extra storage, 50 GB")],
    note="Thank you for your business.",
    purchase_order="PO-7781",
)
# BR-O-02: outside the scope of VAT, neither party's VAT identifier is given.
OUTSIDE_SCOPE = einvoice(
    [line(1, "1", "60.00", O, None)],
    seller=dataclasses.replace(SELLER, vat_id=None),
    buyer=dataclasses.replace(BUYER, vat_id=None),
)
INVOICES = {
    # 100.00 + 20.00 VAT.
    "standard rate with a note and a purchase order": STANDARD,
    # 100.00 at 20 % (20.00) and 33.33 at 5.5 % (1.833 15, so 1.83).
    "two rates": einvoice([line(1, "1", "100.00"), line(2, "3", "11.11", rate="5.5")]),
    "exempt, with a reason's text only": einvoice([line(1, "1", "80.00", E, "0")]),
    "reverse charge": einvoice([line(1, "4", "25.00", AE, "0")]),
    "intra-community supply over a period": einvoice(
        [
            line(1, "1", "300.00", K, "0", period=JANUARY),
            line(2, "1", "45.50", K, "0", period=(date(2024, 1, 15), date(2024, 1, 31))),
        ],
        buyer=EU_BUYER,
        period=JANUARY,
    ),
    # 3 000 JPY + 300 VAT, no decimals.
    "yen": einvoice([line(1, "3", "1000", rate="10", exponent=0)], currency="JPY"),
    # 2 × 14.995 = 29.99, 20 % of which is 5.998, so 6.00.
    "a sub-cent unit price": einvoice([line(1, "2", "14.995")]),
    # Line n is n × 0.10: 505.00 in all, 101.00 VAT.
    "a hundred lines": einvoice([line(n, str(n), "0.10") for n in range(1, 101)]),
}


def xpath(xml: bytes, path: str) -> list[Any]:
    result: list[Any] = etree.fromstring(xml).xpath(path, namespaces=NAMESPACES)
    return result


@pytest.mark.parametrize("invoice", INVOICES.values(), ids=INVOICES.keys())
def test_each_invoice_passes_the_xsd_and_the_schematron(invoice: EInvoice) -> None:
    xml = ubl_xml(invoice)

    assert ubl_xsd_errors(xml) == []
    # Not even a warning.
    assert schematron_failures(xml, "ubl") == []


def test_the_invoice_declares_peppol_bis_billing_3() -> None:
    xml = ubl_xml(STANDARD)

    assert xpath(xml, "/ubl:Invoice/cbc:CustomizationID/text()") == [CUSTOMIZATION]
    assert xpath(xml, "/ubl:Invoice/cbc:ProfileID/text()") == [PROFILE]


def test_amounts_are_written_as_held_and_unit_prices_with_every_decimal() -> None:
    xml = ubl_xml(INVOICES["a sub-cent unit price"])
    yen = ubl_xml(INVOICES["yen"])

    assert xpath(xml, "//cac:Price/cbc:PriceAmount/text()") == ["14.995"]
    assert xpath(xml, "//cac:InvoiceLine/cbc:LineExtensionAmount/text()") == ["29.99"]
    assert xpath(xml, "//cbc:PayableAmount/text()") == ["35.99"]
    assert xpath(yen, "//cbc:PayableAmount/text()") == ["3300"]
    # Every amount names its currency.
    assert set(xpath(yen, "//*[contains(local-name(), 'Amount')]/@currencyID")) == {"JPY"}
    assert xpath(yen, "//*[contains(local-name(), 'Amount')][not(@currencyID)]") == []


def test_outside_the_scope_of_vat_has_no_rate_and_names_the_seller_by_registration() -> None:
    registered = dataclasses.replace(
        OUTSIDE_SCOPE, seller=dataclasses.replace(SELLER, vat_id=None, registration="552081317")
    )
    xml = ubl_xml(registered)

    assert xpath(xml, "//cbc:Percent") == []
    assert xpath(xml, "//cac:TaxCategory/cbc:TaxExemptionReasonCode/text()") == ["VATEX-EU-O"]
    assert xpath(xml, "//cac:PartyLegalEntity/cbc:CompanyID/text()") == ["552081317"]
    assert ubl_xsd_errors(xml) == []
    assert schematron_failures(xml, "ubl") == []
    # Without its VAT identifier (BR-O-02) the seller is known by its legal registration
    # (BT-30) or nothing at all (problems.py refuses it then: SELLER_REGISTRATION_MISSING);
    # with the VAT identifier, BR-O-02 fails instead (terms.py leaves it out).
    assert [
        (rule, flag) for rule, flag, _ in schematron_failures(ubl_xml(OUTSIDE_SCOPE), "ubl")
    ] == [("BR-CO-26", "fatal")]
    with_vat_id = ubl_xml(dataclasses.replace(OUTSIDE_SCOPE, seller=SELLER))
    assert [(rule, flag) for rule, flag, _ in schematron_failures(with_vat_id, "ubl")] == [
        ("BR-O-02", "fatal")
    ]


def test_an_intra_community_supply_says_where_it_was_delivered() -> None:
    xml = ubl_xml(INVOICES["intra-community supply over a period"])

    assert xpath(xml, "//cac:Delivery//cbc:IdentificationCode/text()") == ["DE"]
    assert xpath(xml, "/ubl:Invoice/cac:InvoicePeriod/cbc:*/text()") == [
        "2024-01-01",
        "2024-01-31",
    ]
    assert len(xpath(xml, "//cac:InvoiceLine/cac:InvoicePeriod")) == 2
    assert xpath(ubl_xml(STANDARD), "//cac:Delivery") == []


def test_an_electronic_address_only_where_the_party_has_an_email() -> None:
    xml = ubl_xml(INVOICES["intra-community supply over a period"])

    assert xpath(xml, "//cac:AccountingSupplierParty//cbc:EndpointID/@schemeID") == ["EM"]
    assert xpath(xml, "//cac:AccountingCustomerParty//cbc:EndpointID") == []


def test_an_invoice_whose_lines_do_not_add_up_fails_br_co_10() -> None:
    xml = ubl_xml(dataclasses.replace(STANDARD, line_total=Decimal("90.00")))

    assert ubl_xsd_errors(xml) == []
    failures = schematron_failures(xml, "ubl")
    # BT-106 is also the base of BR-CO-13's total without VAT, which no longer adds up.
    assert [(rule, flag) for rule, flag, _ in failures] == [
        ("BR-CO-10", "fatal"),
        ("BR-CO-13", "fatal"),
    ]
