"""What an API user can give that EN 16931 or a PDF/A cannot carry as given, and what the
product does with it: characters the fonts lack, text of control characters only,
countries, VAT prefixes and address schemes outside the official code lists, a tax number
that is no VAT number, an invoice voided while its UBL is made, a webhook body that cannot
be made."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import facturx
import pytest

from models.catalog.customers import update_customer
from models.catalog.taxes import create_tax
from models.documents import store
from models.documents.store import NoEInvoice, invoice_pdf, invoice_ubl
from models.einvoices.cii import cii_xml
from models.einvoices.codes import countries, vat_prefixes
from models.einvoices.problems import problems_of
from models.einvoices.terms import of_invoice
from models.einvoices.ubl import ubl_xml
from models.invoicing.create import create_one_off_invoice
from models.invoicing.lifecycle import void_invoice
from models.invoicing.request import FeeInput, OneOffInvoiceInput
from models.webhooks.leases import Job
from models.webhooks.sender import WebhookSender
from tests.conftest import Api
from tests.documents.test_content import text_of
from tests.einvoices.billing import BUYER, SELLER, Biller
from tests.einvoices.official import ARTEFACTS, cii_xsd_errors, schematron_failures
from tests.webhooks.test_sender import sender_settings


async def codes(biller: Biller, invoice_id: str) -> list[str]:
    return [p.code for p in problems_of(await biller.issued(invoice_id))]


async def test_a_character_the_fonts_lack_prints_as_a_replacement_and_the_xml_keeps_it(
    api: Api,
) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue(
        "EUR", [("1", "1000", ["vat20"])], note="Merci 😀 감사\x01 and thanks"
    )
    assert await codes(biller, invoice_id) == []
    found = await invoice_pdf(api.db, biller.org, invoice_id)
    assert found is not None
    # A PDF/A may not show a missing glyph: it shows �, and drops the control character.
    assert "Merci � �� and thanks" in text_of(found[1])
    filename, xml = facturx.get_xml_from_pdf(found[1], check_xsd=True)
    assert filename == "factur-x.xml"
    # The XML carries the text as given, less what XML 1.0 cannot hold.
    assert "Merci 😀 감사 and thanks" in xml.decode()


async def test_text_of_control_characters_only_is_no_name(api: Api) -> None:
    biller = await Biller(api).setup()
    await update_customer(api.db, biller.org, biller.customer_id, {"name": "\x01\x02"})
    await create_tax(
        api.db,
        biller.org,
        {
            "code": "blank",
            "name": "Blank",
            "rate": "0",
            "category": "E",
            "exemption_reason": "\x03",
        },
    )
    created = await create_one_off_invoice(
        api.db,
        biller.org,
        OneOffInvoiceInput(
            customer_id=biller.customer_id,
            fees=[
                FeeInput(add_on_code="svc-EUR", invoice_display_name="\x04", tax_codes=["blank"])
            ],
        ),
    )
    assert await codes(biller, created.invoice.id) == [
        "BUYER_NAME_MISSING",
        "FEE_NAME_MISSING",
        "EXEMPTION_REASON_MISSING",
    ]


@pytest.mark.parametrize(
    ("seller", "buyer", "expected"),
    [
        ({"country": "XK"}, {}, ["SELLER_COUNTRY_INVALID"]),
        ({}, {"country": "XK"}, ["BUYER_COUNTRY_INVALID"]),
        # EU: the One-Stop-Shop's prefix, which BR-CO-09 does not take.
        ({"tax_identification_number": "EU372000041"}, {}, ["SELLER_VAT_ID_INVALID"]),
        # XI: Northern Ireland, which it does.
        ({"tax_identification_number": "XI123456789"}, {}, []),
        ({"tax_identification_number": "EL123456789"}, {}, []),
        ({"peppol_id": "1234:55208131700036"}, {}, ["SELLER_PEPPOL_ID_INVALID"]),
        ({}, {"peppol_id": "1234:abc"}, ["BUYER_PEPPOL_ID_INVALID"]),
    ],
)
async def test_the_official_code_lists_decide(
    api: Api, seller: dict[str, Any], buyer: dict[str, Any], expected: list[str]
) -> None:
    biller = await Biller(api).setup(seller={**SELLER, **seller}, buyer={**BUYER, **buyer})
    invoice_id = await biller.issue("EUR", [("1", "1000", ["vat20"])])
    assert await codes(biller, invoice_id) == expected
    if not expected:
        xml = cii_xml(of_invoice(await biller.issued(invoice_id)))
        assert cii_xsd_errors(xml) == []
        assert [f for f in schematron_failures(xml, "cii") if f[1] != "warning"] == []


def test_the_vat_prefixes_are_those_of_br_co_09() -> None:
    stylesheet = (ARTEFACTS / "ubl-2.1" / "EN16931-UBL-validation.xslt").read_text()
    rule = stylesheet[: stylesheet.index('<xsl:attribute name="id">BR-CO-09</xsl:attribute>')]
    listed = re.findall(r"contains\( ' ([0-9A-Z ]+) '", rule)[-1].split()
    assert vat_prefixes() == frozenset(listed)
    assert {"FR", "XI", "1A"} <= countries()
    assert "XK" not in countries()


async def test_l_at_zero_is_refused_as_s_at_zero(api: Api) -> None:
    biller = await Biller(api).setup()
    await create_tax(
        api.db, biller.org, {"code": "igic0", "name": "IGIC 0", "rate": "0", "category": "L"}
    )
    invoice_id = await biller.issue("EUR", [("1", "1000", ["igic0"])])
    assert await codes(biller, invoice_id) == ["STANDARD_RATE_ZERO"]


async def test_a_tax_number_that_is_no_vat_number_is_left_out_unless_needed(api: Api) -> None:
    biller = await Biller(api).setup(buyer={**BUYER, "tax_identification_number": "12-3456789"})
    standard = await biller.issue("EUR", [("1", "1000", ["vat20"])])
    assert await codes(biller, standard) == []
    einvoice = of_invoice(await biller.issued(standard))
    assert einvoice.buyer.vat_id is None
    assert b"12-3456789" not in cii_xml(einvoice)
    assert b"12-3456789" not in ubl_xml(einvoice)
    reverse = await biller.issue("EUR", [("1", "1000", ["reverse"])])
    assert await codes(biller, reverse) == ["BUYER_VAT_ID_INVALID"]


async def test_an_invoice_issued_before_legal_names_were_kept_says_so(api: Api) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("1", "1000", ["vat20"])])
    issued = await biller.issued(invoice_id)
    seller = {k: v for k, v in issued.parties["seller"].items() if k != "legal_name"}
    older = replace(issued, parties={**issued.parties, "seller": seller})
    (problem,) = problems_of(older)
    assert problem.code == "SELLER_LEGAL_NAME_MISSING"
    assert "issued before" in problem.message


async def test_a_ubl_is_not_served_for_an_invoice_voided_while_it_was_made(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    biller = await Biller(api).setup()
    invoice_id = await biller.issue("EUR", [("1", "1000", ["vat20"])])
    made = asyncio.to_thread

    async def voided_meanwhile(render: Callable[..., bytes], *args: Any) -> bytes:
        await void_invoice(api.db, biller.org, invoice_id)
        return await made(render, *args)

    monkeypatch.setattr(asyncio, "to_thread", voided_meanwhile)
    refused = await invoice_ubl(api.db, biller.org, invoice_id)
    monkeypatch.undo()
    assert isinstance(refused, NoEInvoice)
    assert [p.code for p in refused.problems] == ["INVOICE_VOIDED"]
    async with api.db.read() as session:
        kept = await store._kept(session, invoice_id, store.UBL)
    assert kept is None


async def test_a_webhook_body_that_cannot_be_made_records_no_database_text(
    api: Api, tmp_path: Path
) -> None:
    async def broken(*_: object) -> dict[str, Any]:
        raise RuntimeError("[SQL: SELECT secret FROM instance_secrets] host db.internal")

    sender = WebhookSender(
        api.db, sender_settings(f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3"), enrich=broken
    )
    job = Job("delivery", datetime.now(UTC), "http://127.0.0.1:9/", "whsec_x", {"a": 1})
    outcome = await sender._post(job)
    assert outcome.error == "internal error while making the body; see the server log"
    assert outcome.status_code is None
    await sender._client.aclose()
