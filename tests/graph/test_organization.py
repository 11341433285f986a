"""`organization` and `updateOrganization`: settings, default taxes, keys, and the tenant wall."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from models.catalog.taxes import create_tax
from tests.conftest import Api, MakeApi

ORGANIZATION_FIELDS = """
  id name documentNumberPrefix documentNumbering timezone netPaymentTerm createdAt
  defaultTaxes { code }
"""

READ = f"""
query {{
  organization {{ {ORGANIZATION_FIELDS} }}
  taxes(first: 100) {{ nodes {{ code appliedToOrganization }} }}
}}
"""

UPDATE = f"""
mutation($input: UpdateOrganizationInput!) {{
  updateOrganization(input: $input) {{
    organization {{ {ORGANIZATION_FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""


async def snapshot(api: Api) -> dict[str, Any]:
    """Everything updateOrganization may write: the settings and every tax's default flag."""
    data = await api(READ)
    return {
        "organization": data["organization"],
        "taxes": sorted((t["code"], t["appliedToOrganization"]) for t in data["taxes"]["nodes"]),
    }


async def update(api: Api, **input: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(UPDATE, input=input))["updateOrganization"]
    return payload


async def updated(api: Api, **input: Any) -> dict[str, Any]:
    payload = await update(api, **input)
    assert payload["userErrors"] == [], payload["userErrors"]
    organization: dict[str, Any] = payload["organization"]
    assert organization == (await api(READ))["organization"], "payload differs from a re-read"
    return organization


async def rejected(api: Api, code: str, field: list[str], **input: Any) -> None:
    """The update fails with this code at this path, and changes nothing at all."""
    before = await snapshot(api)
    payload = await update(api, **input)
    assert payload["organization"] is None
    assert {"code": code, "field": field} in [
        {"code": e["code"], "field": e["field"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])
    assert await snapshot(api) == before


async def tax(api: Api, code: str, *, default: bool = False) -> None:
    assert api.organization is not None
    await create_tax(
        api.db,
        api.organization.id,
        {"code": code, "name": code.upper(), "rate": "10", "applied_to_organization": default},
    )


def default_codes(organization: dict[str, Any]) -> list[str]:
    return sorted(t["code"] for t in organization["defaultTaxes"])


# Reading, and the defaults of a new organization.


async def test_a_new_organization_reads_with_its_defaults(api: Api) -> None:
    assert api.organization is not None
    organization = (await api(READ))["organization"]

    assert organization["id"] == api.organization.id
    assert organization["name"] == "Acme Corp"
    assert organization["documentNumbering"] == "PER_CUSTOMER"
    assert organization["timezone"] == "UTC"
    assert organization["netPaymentTerm"] == 0
    assert organization["defaultTaxes"] == []
    assert organization["createdAt"]


@pytest.mark.parametrize(
    ("name", "letters"),
    [("Acme Corp", "ACM"), ("x1y-z Labs", "XYZ"), ("éclair", "ECL")],
)
async def test_the_default_prefix_is_three_letters_and_the_ids_last_four(
    make_api: MakeApi, name: str, letters: str
) -> None:
    api = await make_api(name)
    organization = (await api(READ))["organization"]

    expected = f"{letters}-{organization['id'][-4:].upper()}"
    assert organization["documentNumberPrefix"] == expected
    assert organization["documentNumberPrefix"] == organization["documentNumberPrefix"].upper()


# documentNumberPrefix: 1–10 characters, upper-cased.


async def test_prefix_is_trimmed_and_upper_cased(api: Api) -> None:
    assert (await updated(api, documentNumberPrefix=" acme-x "))["documentNumberPrefix"] == (
        "ACME-X"
    )
    assert (await updated(api, documentNumberPrefix="abcdefghij"))["documentNumberPrefix"] == (
        "ABCDEFGHIJ"
    )
    assert (await updated(api, documentNumberPrefix="q"))["documentNumberPrefix"] == "Q"


@pytest.mark.parametrize("blank", ["", "   ", None], ids=["empty", "spaces", "null"])
async def test_blank_prefix_is_required(api: Api, blank: str | None) -> None:
    await rejected(api, "REQUIRED", ["documentNumberPrefix"], documentNumberPrefix=blank)


async def test_prefix_of_11_characters_is_too_long(api: Api) -> None:
    await rejected(api, "TOO_LONG", ["documentNumberPrefix"], documentNumberPrefix="abcdefghijk")


# documentNumbering.


async def test_document_numbering_round_trips(api: Api) -> None:
    assert (await updated(api, documentNumbering="PER_ORGANIZATION"))[
        "documentNumbering"
    ] == "PER_ORGANIZATION"
    assert (await api(READ))["organization"]["documentNumbering"] == "PER_ORGANIZATION"
    assert (await updated(api, documentNumbering="PER_CUSTOMER"))[
        "documentNumbering"
    ] == "PER_CUSTOMER"


async def test_null_document_numbering_writes_nothing(api: Api) -> None:
    before = await snapshot(api)
    payload = await update(api, documentNumbering=None)
    assert payload["organization"] is None
    assert [e["field"] for e in payload["userErrors"]] == [["documentNumbering"]]
    assert await snapshot(api) == before


async def test_unknown_document_numbering_is_a_graphql_error(api: Api) -> None:
    before = await snapshot(api)
    result = await api.raw(UPDATE, input={"documentNumbering": "PER_PLANET"})
    assert result.errors
    assert await snapshot(api) == before


# timezone.


async def test_valid_timezone_is_kept(api: Api) -> None:
    assert (await updated(api, timezone="America/Los_Angeles"))["timezone"] == (
        "America/Los_Angeles"
    )


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime", "utc+2"])
async def test_unknown_timezone_is_invalid(api: Api, zone: str) -> None:
    await rejected(api, "INVALID_VALUE", ["timezone"], timezone=zone)


async def test_null_timezone_is_required(api: Api) -> None:
    await rejected(api, "REQUIRED", ["timezone"], timezone=None)


# netPaymentTerm: 0 to 3650 days.


@pytest.mark.parametrize("days", [0, 30, 3650])
async def test_net_payment_term_in_range(api: Api, days: int) -> None:
    if days == 0:
        await updated(api, netPaymentTerm=15)
    assert (await updated(api, netPaymentTerm=days))["netPaymentTerm"] == days


@pytest.mark.parametrize("days", [-1, 3651])
async def test_net_payment_term_out_of_range(api: Api, days: int) -> None:
    await rejected(api, "VALUE_OUT_OF_RANGE", ["netPaymentTerm"], netPaymentTerm=days)


async def test_null_net_payment_term_is_required(api: Api) -> None:
    await rejected(api, "REQUIRED", ["netPaymentTerm"], netPaymentTerm=None)


# name.


async def test_name_is_trimmed_and_kept(api: Api) -> None:
    assert (await updated(api, name="  Acme Europe  "))["name"] == "Acme Europe"


async def test_blank_name_is_required(api: Api) -> None:
    await rejected(api, "REQUIRED", ["name"], name="  ")


async def test_only_the_given_fields_change(api: Api) -> None:
    await updated(
        api,
        documentNumberPrefix="ACME",
        documentNumbering="PER_ORGANIZATION",
        timezone="Europe/Paris",
        netPaymentTerm=45,
    )
    before = (await api(READ))["organization"]

    after = await updated(api, name="Renamed")

    assert after == {**before, "name": "Renamed"}


async def test_one_bad_field_writes_none_of_the_good_ones(api: Api) -> None:
    await tax(api, "vat")
    await rejected(
        api,
        "INVALID_VALUE",
        ["timezone"],
        name="New name",
        documentNumberPrefix="NEW",
        documentNumbering="PER_ORGANIZATION",
        netPaymentTerm=10,
        taxCodes=["vat"],
        timezone="Mars/Olympus",
    )


async def test_every_bad_field_is_reported_at_once(api: Api) -> None:
    payload = await update(
        api, documentNumberPrefix="x" * 11, timezone="Nowhere", netPaymentTerm=-5, taxCodes=["no"]
    )
    assert payload["organization"] is None
    assert sorted((e["code"], tuple(e["field"])) for e in payload["userErrors"]) == [
        ("INVALID_VALUE", ("timezone",)),
        ("TAX_NOT_FOUND", ("taxCodes", "0")),
        ("TOO_LONG", ("documentNumberPrefix",)),
        ("VALUE_OUT_OF_RANGE", ("netPaymentTerm",)),
    ]


# Default taxes, by code.


async def test_tax_codes_replace_the_default_set(api: Api) -> None:
    await tax(api, "vat", default=True)
    await tax(api, "eco")
    await tax(api, "gst")
    assert default_codes((await api(READ))["organization"]) == ["vat"]

    organization = await updated(api, taxCodes=["gst", "eco", "gst"])

    assert default_codes(organization) == ["eco", "gst"]
    assert (await snapshot(api))["taxes"] == [("eco", True), ("gst", True), ("vat", False)]


async def test_empty_tax_codes_clear_the_defaults(api: Api) -> None:
    await tax(api, "vat", default=True)
    await tax(api, "eco", default=True)

    assert (await updated(api, taxCodes=[]))["defaultTaxes"] == []
    assert (await snapshot(api))["taxes"] == [("eco", False), ("vat", False)]


async def test_omitted_tax_codes_keep_the_defaults(api: Api) -> None:
    await tax(api, "vat", default=True)

    assert default_codes(await updated(api, netPaymentTerm=7)) == ["vat"]


async def test_unknown_tax_code_is_reported_at_its_index(api: Api) -> None:
    await tax(api, "vat", default=True)
    await tax(api, "eco")
    await rejected(api, "TAX_NOT_FOUND", ["taxCodes", "1"], taxCodes=["eco", "nope"])
    await rejected(api, "TAX_NOT_FOUND", ["taxCodes", "0"], taxCodes=["nope"])


async def test_another_organizations_tax_code_is_not_found(api: Api, make_api: MakeApi) -> None:
    other = await make_api("Other")
    await tax(other, "theirs")
    await tax(api, "vat", default=True)
    other_before = await snapshot(other)

    await rejected(api, "TAX_NOT_FOUND", ["taxCodes", "0"], taxCodes=["theirs"])

    assert await snapshot(other) == other_before


async def test_a_code_both_organizations_use_changes_only_the_callers_tax(
    api: Api, make_api: MakeApi
) -> None:
    other = await make_api("Other")
    await tax(api, "shared")
    await tax(other, "shared")
    await tax(other, "theirs", default=True)

    assert default_codes(await updated(api, taxCodes=["shared"])) == ["shared"]
    assert (await snapshot(other))["taxes"] == [("shared", False), ("theirs", True)]

    await updated(api, taxCodes=[])
    assert (await snapshot(other))["taxes"] == [("shared", False), ("theirs", True)]


# API keys: listed, never their secret (the cap and the paging: tests/graph/test_api_keys.py).


async def test_api_keys_are_listed_without_any_secret(api: Api) -> None:
    created = (await api("mutation { createApiKey { key apiKey { id } userErrors { code } } }"))[
        "createApiKey"
    ]
    second_key = created["key"]
    fields = (await api('{ __type(name: "ApiKey") { fields { name } } }'))["__type"]["fields"]
    assert sorted(f["name"] for f in fields) == ["createdAt", "id", "revokedAt"]

    data = await api(
        "{ organization { apiKeys { totalCount nodes { id createdAt revokedAt }"
        " edges { cursor node { id } } } } }"
    )

    keys = data["organization"]["apiKeys"]["nodes"]
    assert len(keys) == data["organization"]["apiKeys"]["totalCount"] == 2
    assert created["apiKey"]["id"] in {k["id"] for k in keys}
    assert all(k["revokedAt"] is None for k in keys)
    text = json.dumps(data)
    for plain in (api.key, second_key):
        secret = plain.split("_", 2)[2]
        assert plain not in text
        assert secret not in text
        assert hashlib.sha256(secret.encode()).hexdigest() not in text


async def test_api_keys_of_another_organization_are_not_listed(api: Api, make_api: MakeApi) -> None:
    other = await make_api("Other")
    query = "{ organization { apiKeys { totalCount nodes { id } } } }"
    mine = (await api(query))["organization"]["apiKeys"]
    theirs = (await other(query))["organization"]["apiKeys"]
    assert mine["totalCount"] == theirs["totalCount"] == 1
    assert mine["nodes"] != theirs["nodes"]


# The tenant wall.


async def test_another_organization_sees_and_changes_only_its_own(
    api: Api, make_api: MakeApi
) -> None:
    await tax(api, "vat", default=True)
    intruder = await make_api("Intruder")
    await tax(intruder, "mine")
    a_before = await snapshot(api)
    b_read = (await intruder(READ))["organization"]
    assert b_read["id"] != a_before["organization"]["id"]
    assert b_read["name"] == "Intruder"
    assert b_read["defaultTaxes"] == []

    b_after = await updated(
        intruder,
        name="Taken over",
        documentNumberPrefix="pwn",
        documentNumbering="PER_ORGANIZATION",
        timezone="Asia/Tokyo",
        netPaymentTerm=99,
        taxCodes=["mine"],
    )

    assert b_after["id"] == b_read["id"]
    assert b_after["name"] == "Taken over"
    assert b_after["documentNumberPrefix"] == "PWN"
    assert default_codes(b_after) == ["mine"]
    assert await snapshot(api) == a_before
    # A's tax code means nothing to B, and A's taxes keep their flags.
    await rejected(intruder, "TAX_NOT_FOUND", ["taxCodes", "0"], taxCodes=["vat"])
    assert await snapshot(api) == a_before
