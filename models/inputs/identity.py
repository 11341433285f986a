"""Who issues and who receives an invoice: the address, tax identification and document
locale an organization and a customer share, checked alike for both (ISO 3166 countries and
BCP 47 locales as babel knows them)."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any, TypedDict

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies

from models.inputs.checks import Checks
from models.inputs.document_locales import UNPRINTABLE
from models.inputs.errors import ErrorCode

DEFAULT_DOCUMENT_LOCALE = "en"
# Column: (GraphQL name, longest accepted).
ADDRESS = {
    "address_line1": ("addressLine1", 255),
    "address_line2": ("addressLine2", 255),
    "city": ("city", 255),
    "zipcode": ("zipcode", 32),
    "state": ("state", 255),
}
TAX_ID_LENGTH = 64
# A Peppol participant identifier: the scheme (4 digits, an ICD of Peppol's EAS list) and the
# identifier in that scheme, as Peppol writes them: 0208:0123456789, 0009:12345678901234.
PEPPOL_ID = re.compile(r"(\d{4}):([^\s:]{1,90})")
PEPPOL_ID_LENGTH = 100
# CLDR regions that are not countries an address can be in.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ", "CQ"})


class IdentityFields(TypedDict, total=False):
    """A missing key leaves the column as it is; None clears it."""

    address_line1: str | None
    address_line2: str | None
    city: str | None
    zipcode: str | None
    state: str | None
    country: str | None
    tax_identification_number: str | None
    legal_registration_number: str | None
    peppol_id: str | None
    document_locale: str | None


@cache
def countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes of the territories CLDR gives a currency in use today: codes
    withdrawn with their country (SU, YU, DD…) have none."""
    today = date.today()
    return frozenset(
        code
        for code in get_global("territory_currencies")
        if len(code) == 2
        and code.isalpha()
        and code not in _NOT_COUNTRIES
        and get_territory_currencies(code, start_date=today, end_date=today)
    )


def document_locale(tag: str) -> Locale:
    """A stored BCP 47 tag (checked when saved) as babel's Locale."""
    return Locale.parse(tag, sep="-")


def checked_identity(fields: IdentityFields, checks: Checks) -> dict[str, Any]:
    """The columns to set from `fields`, each checked; errors go to `checks`."""
    values: dict[str, Any] = {}
    for name, (graph_name, limit) in ADDRESS.items():
        if name in fields:
            values[name] = checks.text(fields[name], (graph_name,), max_length=limit)  # type: ignore[literal-required]
    if "country" in fields:
        values["country"] = _country(fields["country"], checks)
    if "tax_identification_number" in fields:
        values["tax_identification_number"] = checks.text(
            fields["tax_identification_number"],
            ("taxIdentificationNumber",),
            max_length=TAX_ID_LENGTH,
        )
    if "legal_registration_number" in fields:
        values["legal_registration_number"] = checks.text(
            fields["legal_registration_number"],
            ("legalRegistrationNumber",),
            max_length=TAX_ID_LENGTH,
        )
    if "peppol_id" in fields:
        values["peppol_id"] = _peppol_id(fields["peppol_id"], checks)
    if "document_locale" in fields:
        values["document_locale"] = _locale(fields["document_locale"], checks)
    return values


def _peppol_id(value: str | None, checks: Checks) -> str | None:
    found = checks.text(value, ("peppolId",), max_length=PEPPOL_ID_LENGTH)
    if found is not None and not PEPPOL_ID.fullmatch(found):
        checks.add(
            ErrorCode.INVALID_VALUE,
            ("peppolId",),
            f"{found!r} is not a Peppol participant identifier: scheme:identifier, such as "
            "0208:0123456789",
        )
        return None
    return found


def _country(value: str | None, checks: Checks) -> str | None:
    country = checks.text(value, ("country",))
    if country is None:
        return None
    if country.upper() not in countries():
        checks.add(
            ErrorCode.INVALID_VALUE, ("country",), f"{country!r} is not an ISO 3166 alpha-2 code"
        )
        return None
    return country.upper()


def _locale(value: str | None, checks: Checks) -> str | None:
    tag = checks.text(value, ("documentLocale",), max_length=35)
    if tag is None:
        return None
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        checks.add(
            ErrorCode.INVALID_VALUE,
            ("documentLocale",),
            f"{tag!r} is not a locale (BCP 47, such as en, fr or pt-BR)",
        )
        return None
    if not (2 <= len(locale.language) <= 3 and locale.language.isalpha()) or locale.language in {
        "und",
        "root",
    }:
        # babel knows "root" (CLDR's base), which is no language a document can be in.
        checks.add(
            ErrorCode.INVALID_VALUE, ("documentLocale",), f"{tag!r} names no language (BCP 47)"
        )
        return None
    if str(locale) in UNPRINTABLE:
        checks.add(
            ErrorCode.INVALID_VALUE,
            ("documentLocale",),
            f"invoice documents cannot be printed in {tag!r}: their fonts lack its script",
        )
        return None
    return "-".join(
        part for part in (locale.language, locale.script, locale.territory, locale.variant) if part
    )
