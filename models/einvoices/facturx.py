"""Factur-X: the invoice's PDF/A-3 with its CII XML attached as `factur-x.xml` and declared
in the XMP metadata, as the Factur-X 1.0 / ZUGFeRD 2 specification requires; done by the
`factur-x` library (Akretion, BSD), which checks the XML against the profile's official XSD
before attaching it. The PDF must already be PDF/A-3 (typesetting.py renders it so)."""

from __future__ import annotations

from typing import Any

from models.einvoices.terms import EInvoice


def with_facturx(pdf: bytes, xml: bytes, einvoice: EInvoice, lang: str) -> bytes:
    # Imported on first use: the library and what it loads take about 18 MB and 140 ms, which
    # a process that makes no document (every listener's, every API's) need not pay.
    from facturx import generate_from_binary

    metadata = {
        "author": einvoice.seller.name,
        "keywords": "Invoice, Factur-X",
        "title": f"{einvoice.seller.name}: Invoice {einvoice.number}",
        "subject": f"Invoice {einvoice.number} dated {einvoice.issue_date.isoformat()} issued "
        f"by {einvoice.seller.name}",
    }
    result: Any = generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        # The library's Schematron check posts the XML to a remote Saxon server: never.
        check_schematron=False,
        pdf_metadata=metadata,
        lang=lang,
    )
    assert isinstance(result, bytes)
    return result
