"""The invoice document as a reader sees it: text extracted from the real PDF by pypdf, in
EUR (en and fr), JPY and KWD; VOID once voided; frozen as issued."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from pypdf import PdfReader

from models.catalog.add_ons import create_add_on
from models.catalog.customers import create_customer, update_customer
from models.catalog.taxes import create_tax
from models.documents.store import invoice_pdf
from models.invoicing.create import create_one_off_invoice
from models.invoicing.lifecycle import void_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.organizations.organizations import update_organization
from tests.conftest import Api

# Bidirectional marks babel and the document put around values: invisible, and dropped or
# moved by text extraction, so compared without them.
MARKS = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f\u061c"), None)
SELLER = {
    "legal_name": "Acme Publishing SAS",
    "email": "billing@acme.example",
    "address_line1": "1 rue de la Paix",
    "zipcode": "75002",
    "city": "Paris",
    "country": "FR",
    "tax_identification_number": "FR12345678901",
}


def text_of(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "\n".join(page.extract_text() for page in pages).translate(MARKS)


class Issue:
    """One organization billing one customer in one currency: a setup fee with VAT and two
    e-books at a sub-cent price with a reduced rate."""

    def __init__(self, api: Api) -> None:
        assert api.organization is not None
        self.api, self.org = api, api.organization.id

    async def invoice(
        self, currency: str, locale: str, *, customer_locale: str | None = None
    ) -> str:
        db, org = self.api.db, self.org
        await update_organization(db, org, {**SELLER, "document_locale": locale})  # type: ignore[typeddict-item]
        await create_tax(db, org, {"code": "vat", "name": "VAT 20%", "rate": "20"})
        await create_tax(db, org, {"code": "low", "name": "VAT 5.5%", "rate": "5.5"})
        await create_add_on(
            db,
            org,
            {
                "code": "setup",
                "name": "Setup fee",
                "description": "Account setup",
                "amount_cents": 123456,
                "amount_currency": currency,
                "tax_codes": ["vat"],
            },
        )
        await create_add_on(
            db,
            org,
            {
                "code": "ebook",
                "name": "E-book",
                "amount_cents": 1999,
                "amount_currency": currency,
                "tax_codes": ["low"],
            },
        )
        customer = await create_customer(
            db,
            org,
            {
                "external_id": "c1",
                "name": "Librairie du Parc",
                "address_line1": "Hauptstraße 5",
                "zipcode": "10115",
                "city": "Berlin",
                "country": "DE",
                "tax_identification_number": "DE987654321",
                "document_locale": customer_locale,
            },
        )
        created = await create_one_off_invoice(
            db,
            org,
            OneOffInvoiceInput(
                customer_id=customer.id,
                fees=[
                    FeeInput(add_on_code="setup"),
                    FeeInput(
                        add_on_code="ebook",
                        units=Decimal("2"),
                        unit_amount_cents=Decimal("1499.5"),
                        description="Launch price",
                    ),
                ],
            ),
        )
        self.number = created.invoice.number
        return created.invoice.id

    async def text(self, invoice_id: str) -> str:
        found = await invoice_pdf(self.api.db, self.org, invoice_id)
        assert found is not None
        return text_of(found[1])


def lines_with(text: str, *parts: str) -> list[str]:
    return [line for line in text.splitlines() if all(part in line for part in parts)]


# setup 1234.56 + VAT 246.91; e-books 2 × 14.995 = 29.99 + 5.5 % = 1.65 (1.64945 rounded);
# fees 1264.55, taxes 248.56, total 1513.11, in each currency's minor units.
EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    ("EUR", "en"): {
        "setup": ("1", "€1,234.56", "€1,234.56"),
        "ebook": ("2", "€14.995", "€29.99"),
        "taxes": [("20%", "€1,234.56", "€246.91"), ("5.5%", "€29.99", "€1.65")],
        "totals": ("€1,264.55", "€248.56", "€1,513.11"),
        "dates": "Dec",
    },
    ("EUR", "fr"): {
        "setup": ("1", "1\u202f234,56\xa0€", "1\u202f234,56\xa0€"),
        "ebook": ("2", "14,995\xa0€", "29,99\xa0€"),
        "taxes": [
            ("20\xa0%", "1\u202f234,56\xa0€", "246,91\xa0€"),
            ("5,5\xa0%", "29,99\xa0€", "1,65\xa0€"),
        ],
        "totals": ("1\u202f264,55\xa0€", "248,56\xa0€", "1\u202f513,11\xa0€"),
        "dates": "déc.",
    },
    ("JPY", "ja"): {
        "setup": ("1", "￥123,456", "￥123,456"),
        "ebook": ("2", "￥1,499.5", "￥2,999"),
        "taxes": [("20%", "￥123,456", "￥24,691"), ("5.5%", "￥2,999", "￥165")],
        "totals": ("￥126,455", "￥24,856", "￥151,311"),
        "dates": "2026/",
    },
}


async def test_the_document_prints_every_line_tax_and_total_in_its_locale(api: Api) -> None:
    # One organization per currency and locale: each its own catalog.
    for index, ((currency, locale), expected) in enumerate(EXPECTED.items()):
        org_api = api if index == 0 else await _another(api, f"Org {index}")
        issue = Issue(org_api)
        text = await issue.text(await issue.invoice(currency, locale))
        assert issue.number in text
        assert "Acme Publishing SAS" in text
        assert "FR12345678901" in text
        assert "Librairie du Parc" in text
        assert "DE987654321" in text
        assert "Hauptstraße 5" in text
        assert "10115 Berlin" in text
        units, price, amount = expected["setup"]
        assert lines_with(text, "Setup fee", "Account setup", units, price, amount), text
        units, price, amount = expected["ebook"]
        assert lines_with(text, "E-book", "Launch price", units, price, amount), text
        for (rate, base, tax), name in zip(expected["taxes"], ("VAT 20%", "VAT 5.5%"), strict=True):
            assert lines_with(text, name, rate, base, tax), (name, text)
        fees, taxes, total = expected["totals"]
        assert lines_with(text, "Fees", fees), text
        assert lines_with(text, "Taxes", taxes), text
        assert lines_with(text, "Total", total), text
        assert expected["dates"] in text
        assert "VOID" not in text


async def _another(api: Api, name: str) -> Api:
    from models.organizations.organizations import create_organization

    organization, key = await create_organization(api.db, name)
    return Api(db=api.db, settings=api.settings, organization=organization, key=key.plain)


async def test_kwd_prints_three_decimals_even_in_arabic(api: Api) -> None:
    issue = Issue(api)
    text = await issue.text(await issue.invoice("KWD", "ar"))
    assert issue.number in text
    # Right-to-left runs come back in visual order: the amount and the currency's letters
    # are checked apart. 123456 fils is 123.456 dinars: three decimals, never two.
    for amount in ("123.456", "1.4995", "2.999", "151.311"):
        assert amount in text, (amount, text)
    assert "د" in text
    assert "ك" in text
    assert "Germany" in text  # country names in English, as the labels


async def test_the_customers_locale_wins_over_the_organizations(api: Api) -> None:
    issue = Issue(api)
    text = await issue.text(await issue.invoice("EUR", "en", customer_locale="fr"))
    assert "1\u202f513,11\xa0€" in text
    assert "€1,513.11" not in text


async def test_a_voided_invoice_says_void_and_its_issued_document_stays(api: Api) -> None:
    issue = Issue(api)
    invoice_id = await issue.invoice("EUR", "en")
    issued = await invoice_pdf(api.db, issue.org, invoice_id)
    assert issued is not None
    await void_invoice(api.db, issue.org, invoice_id)
    voided = await invoice_pdf(api.db, issue.org, invoice_id)
    assert voided is not None
    text = text_of(voided[1])
    assert "VOID" in text
    assert issue.number in text
    assert "€1,513.11" in text  # a voided invoice keeps its amounts
    assert "VOID" not in text_of(issued[1])


async def test_the_document_shows_the_invoice_as_issued_whatever_changes_later(api: Api) -> None:
    issue = Issue(api)
    invoice_id = await issue.invoice("EUR", "en")
    # Changed after issue and before the document was ever opened.
    await update_organization(
        api.db,
        issue.org,
        {"legal_name": "Renamed Holding", "city": "Lyon", "document_locale": "de"},
    )
    customer_id = next(iter(await _customer_ids(api)))
    await update_customer(
        api.db, issue.org, customer_id, {"name": "Someone Else", "document_locale": "fr"}
    )
    first = await invoice_pdf(api.db, issue.org, invoice_id)
    assert first is not None
    text = text_of(first[1])
    assert "Acme Publishing SAS" in text
    assert "75002 Paris" in text
    assert "Librairie du Parc" in text
    assert "€1,513.11" in text
    for later in ("Renamed Holding", "Lyon", "Someone Else", "1.513,11"):
        assert later not in text
    again = await invoice_pdf(api.db, issue.org, invoice_id)
    assert again == first  # the bytes as first rendered, served as kept


async def _customer_ids(api: Api) -> list[str]:
    from sqlmodel import select

    from models.store.tables import Customer

    async with api.db.read() as session:
        return [c.id for c in await session.exec(select(Customer))]


async def test_another_organizations_invoice_has_no_document(api: Api) -> None:
    issue = Issue(api)
    invoice_id = await issue.invoice("EUR", "en")
    other = await _another(api, "Other")
    assert other.organization is not None
    assert await invoice_pdf(api.db, other.organization.id, invoice_id) is None
    assert await invoice_pdf(api.db, issue.org, "no-such-invoice") is None


async def test_an_invoice_issued_before_parties_were_kept_prints_them_as_at_first_render(
    api: Api,
) -> None:
    from sqlalchemy import update
    from sqlmodel import col

    from models.store.tables import Invoice

    issue = Issue(api)
    invoice_id = await issue.invoice("EUR", "fr")
    async with api.db.write() as session:
        # As migration 0006 leaves the invoices issued before it.
        await session.execute(
            update(Invoice).where(col(Invoice.id) == invoice_id).values(parties=None)
        )
    await update_organization(api.db, issue.org, {"legal_name": "Acme Renamed SAS"})
    text = await issue.text(invoice_id)
    assert "Acme Renamed SAS" in text
    assert "Librairie du Parc" in text
    assert "1\u202f513,11\xa0€" in text  # the organization's locale, fr
    # Kept from that first rendering on: its VOID document prints the same parties.
    await update_organization(api.db, issue.org, {"legal_name": "Renamed Again SA"})
    await void_invoice(api.db, issue.org, invoice_id)
    voided = await issue.text(invoice_id)
    assert "VOID" in voided
    assert "Acme Renamed SAS" in voided
    assert "Renamed Again SA" not in voided
