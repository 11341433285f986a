"""Who issues and who receives: the legal identity of an organization and a customer, through
the API, checked by babel's countries and locales, and the locales the fonts can print."""

from __future__ import annotations

from typing import Any

from models.inputs.document_locales import UNPRINTABLE
from tests.conftest import Api
from tests.documents.font_coverage import module_text
from tests.documents.test_content import text_of

IDENTITY = """legalName email addressLine1 addressLine2 city zipcode state country
              taxIdentificationNumber documentLocale"""
UPDATE = f"""
mutation($input: UpdateOrganizationInput!) {{
  updateOrganization(input: $input) {{
    organization {{ {IDENTITY} }}
    userErrors {{ field code message }}
  }}
}}
"""
READ = f"{{ organization {{ {IDENTITY} }} }}"
CREATE_CUSTOMER = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id country taxIdentificationNumber documentLocale }
    userErrors { field code message }
  }
}
"""


def errors(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_an_organization_gets_its_legal_identity(api: Api) -> None:
    before = (await api(READ))["organization"]
    assert before["documentLocale"] == "en"
    assert before["legalName"] is None
    given = {
        "legalName": "Acme Publishing SAS",
        "email": "billing@acme.example",
        "addressLine1": "1 rue de la Paix",
        "addressLine2": "Bâtiment B",
        "city": "Paris",
        "zipcode": "75002",
        "state": "Île-de-France",
        "country": "fr",
        "taxIdentificationNumber": "FR12345678901",
        "documentLocale": "fr_FR",
    }
    payload = (await api(UPDATE, input=given))["updateOrganization"]
    assert payload["userErrors"] == []
    expected = {**given, "country": "FR", "documentLocale": "fr-FR"}
    assert payload["organization"] == expected
    assert (await api(READ))["organization"] == expected
    cleared = (await api(UPDATE, input={"addressLine2": None, "state": None}))["updateOrganization"]
    assert cleared["organization"]["addressLine2"] is None
    assert cleared["organization"]["city"] == "Paris"


async def test_bad_identity_is_refused_field_by_field_and_nothing_is_written(api: Api) -> None:
    before = (await api(READ))["organization"]
    bad = {
        "legalName": "A new name that must not be saved",
        "country": "XX",
        "documentLocale": "xx-YY",
        "zipcode": "1" * 33,
        "addressLine1": "a" * 256,
        "taxIdentificationNumber": "T" * 65,
        "email": "not an email",
    }
    payload = (await api(UPDATE, input=bad))["updateOrganization"]
    assert payload["organization"] is None
    assert sorted(errors(payload)) == sorted(
        [
            ("INVALID_VALUE", ["country"]),
            ("INVALID_VALUE", ["documentLocale"]),
            ("TOO_LONG", ["zipcode"]),
            ("TOO_LONG", ["addressLine1"]),
            ("TOO_LONG", ["taxIdentificationNumber"]),
            ("INVALID_VALUE", ["email"]),
        ]
    )
    for region in ("EU", "ZZ", "UN", "F", "FRA", "12"):
        payload = (await api(UPDATE, input={"country": region}))["updateOrganization"]
        assert errors(payload) == [("INVALID_VALUE", ["country"])], region
    null_locale = (await api(UPDATE, input={"documentLocale": None}))["updateOrganization"]
    assert errors(null_locale) == [("REQUIRED", ["documentLocale"])]
    assert (await api(READ))["organization"] == before


async def test_a_locale_the_fonts_cannot_print_is_refused(api: Api) -> None:
    for tag in ("root", "ta-IN", "am", "si", "km"):
        assert tag == "root" or tag.replace("-", "_") in UNPRINTABLE
        payload = (await api(UPDATE, input={"documentLocale": tag}))["updateOrganization"]
        assert errors(payload) == [("INVALID_VALUE", ["documentLocale"])], tag
        assert ("language" if tag == "root" else "fonts") in payload["userErrors"][0]["message"]
    for tag in ("ar", "ja", "zh-Hant", "ko", "ru", "el", "he", "th", "hi", "pt-BR"):
        payload = (await api(UPDATE, input={"documentLocale": tag}))["updateOrganization"]
        assert payload["userErrors"] == [], tag


async def test_a_customer_gets_a_tax_id_and_its_own_document_locale(api: Api) -> None:
    created = (
        await api(
            CREATE_CUSTOMER,
            input={
                "externalId": "c1",
                "country": "de",
                "taxIdentificationNumber": "DE987654321",
                "documentLocale": "de",
            },
        )
    )["createCustomer"]
    assert created["userErrors"] == []
    assert created["customer"] | {"id": None} == {
        "id": None,
        "country": "DE",
        "taxIdentificationNumber": "DE987654321",
        "documentLocale": "de",
    }
    refused = (
        await api(
            CREATE_CUSTOMER,
            input={"externalId": "c2", "country": "QQ", "documentLocale": "klingon"},
        )
    )["createCustomer"]
    assert sorted(errors(refused)) == [
        ("INVALID_VALUE", ["country"]),
        ("INVALID_VALUE", ["documentLocale"]),
    ]
    none = (await api(CREATE_CUSTOMER, input={"externalId": "c3"}))["createCustomer"]
    assert none["customer"]["documentLocale"] is None  # its organization's, then


def test_the_list_of_unprintable_locales_is_what_the_fonts_and_babel_say() -> None:
    with open("models/inputs/document_locales.py", encoding="utf-8") as shipped:
        assert shipped.read() == module_text(), "run make document-locales"


def test_text_of_rejects_what_is_not_a_pdf() -> None:
    try:
        text_of(b"<html>")
    except AssertionError:
        return
    raise AssertionError("text_of took HTML for a PDF")


def test_the_fonts_carry_the_currency_signs_babel_prints() -> None:
    from babel.numbers import format_currency

    from tests.documents.font_coverage import INVISIBLE, glyphs

    covered = glyphs()
    signs = "€£¥￥₹₩₺₽₪฿₫₴₦"
    assert [sign for sign in signs if ord(sign) not in covered] == []
    for currency, locale in (("KWD", "ar"), ("SAR", "ar"), ("AED", "ar"), ("ILS", "he")):
        printed = format_currency(1234.5, currency, locale=locale)
        missing = [c for c in printed if ord(c) not in covered and c not in INVISIBLE]
        assert missing == [], (currency, locale, printed)
