from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from models.catalog.taxes import create_tax
from models.inputs.errors import Rejected
from models.store.db import Database
from tests.conftest import Api, MakeApi

CREATE = """
mutation($input: CreateTaxInput!) {
  createTax(input: $input) {
    tax { id code name rate description appliedToOrganization }
    userErrors { field code message }
  }
}
"""

UPDATE = """
mutation($input: UpdateTaxInput!) {
  updateTax(input: $input) {
    tax { id code name rate description appliedToOrganization }
    userErrors { field code message }
  }
}
"""

LIST = """
query($first: Int, $after: String) {
  taxes(first: $first, after: $after) {
    totalCount
    edges { cursor node { code } }
    nodes { code }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ONE = "query($id: ID, $code: String) { tax(id: $id, code: $code) { code rate } }"

ALL = "query { taxes(first: 100) { totalCount nodes { code name rate description } } }"


async def _create(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "VAT")
    fields.setdefault("rate", "20")
    data = await api(CREATE, input=fields)
    payload: dict[str, Any] = data["createTax"]
    return payload


async def _created_id(api: Api, **fields: Any) -> str:
    payload = await _create(api, **fields)
    assert payload["userErrors"] == [], payload
    return str(payload["tax"]["id"])


def _codes(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": e["field"], "code": e["code"]} for e in payload["userErrors"]]


async def _assert_create_rejected(
    api: Api, fields: dict[str, Any], code: str, path: list[str]
) -> None:
    before = (await api(ALL))["taxes"]
    payload = await _create(api, **fields)
    assert payload["tax"] is None
    assert {"field": path, "code": code} in _codes(payload), payload
    assert (await api(ALL))["taxes"] == before


async def test_create_tax_round_trips_every_field(api: Api) -> None:
    payload = await _create(
        api,
        code=" vat_fr ",
        name=" TVA ",
        rate="20.00",
        description="French VAT",
        appliedToOrganization=True,
    )
    assert payload["userErrors"] == []
    assert payload["tax"] == {
        "id": payload["tax"]["id"],
        "code": "vat_fr",
        "name": "TVA",
        "rate": "20",
        "description": "French VAT",
        "appliedToOrganization": True,
    }
    defaults = await api("query { organization { defaultTaxes { code } } }")
    assert defaults["organization"]["defaultTaxes"] == [{"code": "vat_fr"}]


async def test_applied_to_organization_defaults_to_false(api: Api) -> None:
    payload = await _create(api, code="t")
    assert payload["tax"]["appliedToOrganization"] is False
    assert payload["tax"]["description"] is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0", "0"),
        (0, "0"),
        ("100", "100"),
        (100, "100"),
        ("5.50", "5.5"),
        (8.875, "8.875"),
        ("12.3456", "12.3456"),
        ("2E+1", "20"),
        ("-0", "0"),
    ],
)
async def test_rate_is_accepted_from_0_to_100_with_4_decimals(
    api: Api, given: object, stored: str
) -> None:
    payload = await _create(api, code="t", rate=given)
    assert payload["userErrors"] == []
    assert payload["tax"]["rate"] == stored


@pytest.mark.parametrize(
    ("rate", "code"),
    [
        ("100.00001", "VALUE_OUT_OF_RANGE"),
        ("-1", "VALUE_OUT_OF_RANGE"),
        (-1, "VALUE_OUT_OF_RANGE"),
        ("101", "VALUE_OUT_OF_RANGE"),
        ("12.34567", "INVALID_VALUE"),
        ("0.00001", "INVALID_VALUE"),
    ],
)
async def test_rate_out_of_range_or_too_precise_is_rejected(
    api: Api, rate: object, code: str
) -> None:
    await _assert_create_rejected(api, {"code": "t", "rate": rate}, code, ["rate"])


@pytest.mark.parametrize("rate", ["NaN", "Infinity", "-Infinity", "twenty", ""])
async def test_rate_that_is_no_finite_number_is_a_graphql_error(api: Api, rate: str) -> None:
    result = await api.raw(CREATE, input={"code": "t", "name": "VAT", "rate": rate})
    assert result.errors
    assert result.data is None
    assert (await api(ALL))["taxes"]["totalCount"] == 0


async def test_blank_code_is_required(api: Api) -> None:
    await _assert_create_rejected(api, {"code": "  "}, "REQUIRED", ["code"])


async def test_blank_name_is_required(api: Api) -> None:
    await _assert_create_rejected(api, {"code": "t", "name": ""}, "REQUIRED", ["name"])


async def test_overlong_code_is_rejected(api: Api) -> None:
    await _assert_create_rejected(api, {"code": "c" * 256}, "TOO_LONG", ["code"])


async def test_overlong_name_is_rejected(api: Api) -> None:
    await _assert_create_rejected(api, {"code": "t", "name": "n" * 256}, "TOO_LONG", ["name"])


async def test_overlong_description_is_rejected(api: Api) -> None:
    assert (await _create(api, code="ok", description="d" * 1000))["userErrors"] == []
    await _assert_create_rejected(
        api, {"code": "t", "description": "d" * 1001}, "TOO_LONG", ["description"]
    )


async def test_every_invalid_field_is_reported_at_once(api: Api) -> None:
    payload = await _create(api, code="", name="", rate="101")
    assert sorted(e["field"][0] for e in payload["userErrors"]) == ["code", "name", "rate"]


async def test_duplicate_code_is_taken(api: Api) -> None:
    await _created_id(api, code="dup")
    await _assert_create_rejected(api, {"code": "dup"}, "TAKEN", ["code"])


async def test_concurrent_duplicate_creates_make_one_tax(api: Api) -> None:
    payloads = await asyncio.gather(*(_create(api, code="race") for _ in range(10)))
    assert len([p for p in payloads if p["tax"] is not None]) == 1
    for payload in payloads:
        if payload["tax"] is None:
            assert _codes(payload) == [{"field": ["code"], "code": "TAKEN"}]
    assert (await api(ALL))["taxes"]["totalCount"] == 1


async def test_update_changes_given_fields_only_and_clears_nulls(api: Api) -> None:
    tax_id = await _created_id(api, code="u", name="Old", description="text", rate="5")
    data = await api(UPDATE, input={"id": tax_id, "name": "New", "description": None})
    assert data["updateTax"] == {
        "tax": {
            "id": tax_id,
            "code": "u",
            "name": "New",
            "rate": "5",
            "description": None,
            "appliedToOrganization": False,
        },
        "userErrors": [],
    }
    data = await api(UPDATE, input={"id": tax_id, "rate": "7.25", "appliedToOrganization": True})
    assert data["updateTax"]["tax"]["rate"] == "7.25"
    assert data["updateTax"]["tax"]["appliedToOrganization"] is True


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"code": None}, "REQUIRED", ["code"]),
        ({"name": " "}, "REQUIRED", ["name"]),
        ({"rate": None}, "REQUIRED", ["rate"]),
        ({"rate": "100.5"}, "VALUE_OUT_OF_RANGE", ["rate"]),
        ({"rate": "1.23456"}, "INVALID_VALUE", ["rate"]),
        ({"description": "d" * 1001}, "TOO_LONG", ["description"]),
    ],
)
async def test_invalid_update_is_rejected_and_writes_nothing(
    api: Api, change: dict[str, Any], code: str, path: list[str]
) -> None:
    tax_id = await _created_id(api, code="keep", description="text")
    before = (await api(ALL))["taxes"]
    data = await api(UPDATE, input={"id": tax_id, "name": "Changed", **change})
    assert data["updateTax"]["tax"] is None
    assert {"field": path, "code": code} in _codes(data["updateTax"])
    assert (await api(ALL))["taxes"] == before


async def test_update_to_taken_code(api: Api) -> None:
    await _created_id(api, code="a")
    other = await _created_id(api, code="b")
    data = await api(UPDATE, input={"id": other, "code": "a"})
    assert _codes(data["updateTax"]) == [{"field": ["code"], "code": "TAKEN"}]
    # Keeping its own code is no conflict.
    data = await api(UPDATE, input={"id": other, "code": "b", "name": "B"})
    assert data["updateTax"]["userErrors"] == []


async def test_update_of_unknown_id_is_tax_not_found(api: Api) -> None:
    data = await api(UPDATE, input={"id": "00000000-0000-0000-0000-000000000000", "name": "x"})
    assert data["updateTax"]["tax"] is None
    assert _codes(data["updateTax"]) == [{"field": ["id"], "code": "TAX_NOT_FOUND"}]


async def test_lookup_by_id_and_code(api: Api) -> None:
    tax_id = await _created_id(api, code="look", rate="8.5")
    assert (await api(ONE, id=tax_id))["tax"] == {"code": "look", "rate": "8.5"}
    assert (await api(ONE, code="look"))["tax"] == {"code": "look", "rate": "8.5"}
    assert (await api(ONE, code="missing"))["tax"] is None
    assert (await api(ONE))["tax"] is None


async def test_pagination_newest_first_with_keyset_cursors(api: Api) -> None:
    for index in range(5):
        await _created_id(api, code=f"t{index}")
    first = (await api(LIST, first=2))["taxes"]
    assert first["totalCount"] == 5
    assert [n["code"] for n in first["nodes"]] == ["t4", "t3"]
    assert [e["node"]["code"] for e in first["edges"]] == ["t4", "t3"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    second = (await api(LIST, first=2, after=first["pageInfo"]["endCursor"]))["taxes"]
    assert [n["code"] for n in second["nodes"]] == ["t2", "t1"]
    third = (await api(LIST, first=2, after=second["pageInfo"]["endCursor"]))["taxes"]
    assert [n["code"] for n in third["nodes"]] == ["t0"]
    assert third["pageInfo"]["hasNextPage"] is False


async def test_page_size_and_cursor_are_checked(api: Api) -> None:
    for first in (0, 101):
        result = await api.raw(LIST, first=first)
        assert result.errors
        assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"
    result = await api.raw(LIST, after="garbage")
    assert result.errors
    assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"


async def test_another_organization_cannot_see_or_change_taxes(api: Api, make_api: MakeApi) -> None:
    tax_id = await _created_id(api, code="mine", appliedToOrganization=True)
    intruder = await make_api("Intruder")
    assert (await intruder(ONE, id=tax_id))["tax"] is None
    assert (await intruder(ONE, code="mine"))["tax"] is None
    assert (await intruder(LIST))["taxes"]["totalCount"] == 0
    assert (await intruder("query { organization { defaultTaxes { code } } }")) == {
        "organization": {"defaultTaxes": []}
    }
    data = await intruder(UPDATE, input={"id": tax_id, "name": "pwned"})
    assert _codes(data["updateTax"]) == [{"field": ["id"], "code": "TAX_NOT_FOUND"}]
    assert (await api(ONE, id=tax_id))["tax"] == {"code": "mine", "rate": "20"}
    # The same code is free in another organization.
    assert (await _create(intruder, code="mine"))["userErrors"] == []


async def test_create_tax_takes_the_rate_as_text_from_the_models_layer(
    api: Api, db: Database
) -> None:
    assert api.organization is not None
    tax = await create_tax(
        db,
        api.organization.id,
        {"code": "vat_20", "name": "VAT 20%", "rate": "20", "applied_to_organization": True},
    )
    assert tax.rate == Decimal("20")
    assert tax.applied_to_organization is True
    with pytest.raises(Rejected) as rejected:
        await create_tax(db, api.organization.id, {"rate": "abc"})
    assert sorted((e.code, e.field) for e in rejected.value.errors) == [
        ("INVALID_VALUE", ("rate",)),
        ("REQUIRED", ("code",)),
        ("REQUIRED", ("name",)),
    ]
