from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from models.catalog.add_ons import add_ons_by_id, taxes_of_add_ons
from models.store.db import Database
from tests.conftest import Api, MakeApi

MAX_BIGINT = 2**63 - 1
MISSING_ID = "00000000-0000-0000-0000-000000000000"

FIELDS = """
  id code name invoiceDisplayName description amountCents amountCurrency
  taxes { code } deletedAt
"""

CREATE = f"""
mutation($input: CreateAddOnInput!) {{
  createAddOn(input: $input) {{
    addOn {{ {FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""

UPDATE = f"""
mutation($input: UpdateAddOnInput!) {{
  updateAddOn(input: $input) {{
    addOn {{ {FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""

DELETE = """
mutation($id: ID!) {
  deleteAddOn(id: $id) {
    addOn { id code deletedAt }
    userErrors { field code message }
  }
}
"""

LIST = """
query($first: Int, $after: String, $searchTerm: String) {
  addOns(first: $first, after: $after, searchTerm: $searchTerm) {
    totalCount
    edges { cursor node { code } }
    nodes { code }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ONE = "query($id: ID, $code: String) { addOn(id: $id, code: $code) { id code } }"

ALL = f"query {{ addOns(first: 100) {{ totalCount nodes {{ {FIELDS} }} }} }}"

CREATE_TAX = """
mutation($code: String!, $rate: Decimal!) {
  createTax(input: {code: $code, name: $code, rate: $rate}) { userErrors { code } }
}
"""


async def _create(api: Api, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Setup fee")
    fields.setdefault("amountCents", 1000)
    fields.setdefault("amountCurrency", "EUR")
    data = await api(CREATE, input=fields)
    payload: dict[str, Any] = data["createAddOn"]
    return payload


async def _created_id(api: Api, **fields: Any) -> str:
    payload = await _create(api, **fields)
    assert payload["userErrors"] == [], payload
    return str(payload["addOn"]["id"])


async def _tax(api: Api, code: str, rate: str = "20") -> None:
    assert (await api(CREATE_TAX, code=code, rate=rate))["createTax"]["userErrors"] == []


def _codes(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": e["field"], "code": e["code"]} for e in payload["userErrors"]]


async def _assert_create_rejected(
    api: Api, fields: dict[str, Any], code: str, path: list[str]
) -> None:
    before = (await api(ALL))["addOns"]
    payload = await _create(api, **fields)
    assert payload["addOn"] is None
    assert {"field": path, "code": code} in _codes(payload), payload
    assert (await api(ALL))["addOns"] == before


async def test_create_add_on_round_trips_every_field(api: Api) -> None:
    await _tax(api, "vat_20")
    await _tax(api, "eco", "0.5")
    payload = await _create(
        api,
        code=" setup ",
        name=" Setup fee ",
        invoiceDisplayName="One-time setup",
        description="Onboarding",
        amountCents="50000",
        amountCurrency="EUR",
        taxCodes=["vat_20", "eco", "vat_20"],
    )
    assert payload["userErrors"] == []
    assert payload["addOn"] == {
        "id": payload["addOn"]["id"],
        "code": "setup",
        "name": "Setup fee",
        "invoiceDisplayName": "One-time setup",
        "description": "Onboarding",
        "amountCents": "50000",
        "amountCurrency": "EUR",
        "taxes": [{"code": "eco"}, {"code": "vat_20"}],
        "deletedAt": None,
    }


async def test_optional_fields_default_to_null_and_no_taxes(api: Api) -> None:
    payload = await _create(api, code="bare", amountCents=0, amountCurrency="JPY")
    assert payload["addOn"]["invoiceDisplayName"] is None
    assert payload["addOn"]["description"] is None
    assert payload["addOn"]["amountCents"] == "0"
    assert payload["addOn"]["amountCurrency"] == "JPY"
    assert payload["addOn"]["taxes"] == []


@pytest.mark.parametrize("amount", [MAX_BIGINT, str(MAX_BIGINT), 12345, "12345", 0, "0"])
async def test_amount_cents_takes_an_int_or_a_digit_string_up_to_2_63_minus_1(
    api: Api, amount: int | str
) -> None:
    payload = await _create(api, code="big", amountCents=amount)
    assert payload["userErrors"] == []
    assert payload["addOn"]["amountCents"] == str(amount)


@pytest.mark.parametrize("amount", [2**63, str(2**63), -1, "-1", str(-(2**63))])
async def test_amount_cents_outside_0_to_2_63_minus_1_is_out_of_range(
    api: Api, amount: int | str
) -> None:
    await _assert_create_rejected(
        api, {"code": "big", "amountCents": amount}, "VALUE_OUT_OF_RANGE", ["amountCents"]
    )


@pytest.mark.parametrize("amount", ["12.5", "1e3", "abc", True, 1.5])
async def test_amount_cents_that_is_no_integer_is_a_graphql_error(api: Api, amount: object) -> None:
    result = await api.raw(
        CREATE, input={"code": "x", "name": "x", "amountCents": amount, "amountCurrency": "EUR"}
    )
    assert result.errors
    assert (await api(ALL))["addOns"]["totalCount"] == 0


async def test_unknown_currency_is_a_graphql_error(api: Api) -> None:
    result = await api.raw(
        CREATE, input={"code": "x", "name": "x", "amountCents": 1, "amountCurrency": "EURO"}
    )
    assert result.errors
    assert "EURO" in result.errors[0].message
    assert (await api(ALL))["addOns"]["totalCount"] == 0


async def test_blank_code_is_required(api: Api) -> None:
    await _assert_create_rejected(api, {"code": " "}, "REQUIRED", ["code"])


async def test_blank_name_is_required(api: Api) -> None:
    await _assert_create_rejected(api, {"code": "x", "name": ""}, "REQUIRED", ["name"])


@pytest.mark.parametrize(
    ("field", "limit"),
    [("code", 255), ("name", 255), ("invoiceDisplayName", 255), ("description", 1000)],
)
async def test_overlong_text_is_rejected(api: Api, field: str, limit: int) -> None:
    assert (await _create(api, **{"code": "ok", field: "t" * limit}))["userErrors"] == []
    await _assert_create_rejected(api, {"code": "x", field: "t" * (limit + 1)}, "TOO_LONG", [field])


async def test_unknown_tax_code_is_rejected_at_its_index(api: Api) -> None:
    await _tax(api, "vat_20")
    await _assert_create_rejected(
        api, {"code": "x", "taxCodes": ["vat_20", "nope"]}, "TAX_NOT_FOUND", ["taxCodes", "1"]
    )
    assert (await api("query { taxes { totalCount } }"))["taxes"]["totalCount"] == 1


async def test_every_invalid_field_is_reported_at_once(api: Api) -> None:
    payload = await _create(api, code="", name="", amountCents=-1, taxCodes=["nope"])
    assert sorted(_codes(payload), key=str) == sorted(
        [
            {"field": ["code"], "code": "REQUIRED"},
            {"field": ["name"], "code": "REQUIRED"},
            {"field": ["amountCents"], "code": "VALUE_OUT_OF_RANGE"},
            {"field": ["taxCodes", "0"], "code": "TAX_NOT_FOUND"},
        ],
        key=str,
    )


async def test_duplicate_code_is_taken(api: Api) -> None:
    await _created_id(api, code="dup")
    await _assert_create_rejected(api, {"code": "dup"}, "TAKEN", ["code"])


async def test_concurrent_duplicate_creates_make_one_add_on(api: Api) -> None:
    payloads = await asyncio.gather(*(_create(api, code="race") for _ in range(10)))
    assert len([p for p in payloads if p["addOn"] is not None]) == 1
    for payload in payloads:
        if payload["addOn"] is None:
            assert _codes(payload) == [{"field": ["code"], "code": "TAKEN"}]
    assert (await api(ALL))["addOns"]["totalCount"] == 1


async def test_update_changes_given_fields_only_and_clears_nulls(api: Api) -> None:
    await _tax(api, "vat_20")
    await _tax(api, "eco", "1")
    add_on_id = await _created_id(
        api,
        code="u",
        name="Old",
        description="text",
        invoiceDisplayName="Shown",
        taxCodes=["vat_20"],
    )
    data = await api(
        UPDATE,
        input={
            "id": add_on_id,
            "name": "New",
            "description": None,
            "amountCents": "99",
            "amountCurrency": "USD",
        },
    )
    assert data["updateAddOn"] == {
        "addOn": {
            "id": add_on_id,
            "code": "u",
            "name": "New",
            "invoiceDisplayName": "Shown",
            "description": None,
            "amountCents": "99",
            "amountCurrency": "USD",
            "taxes": [{"code": "vat_20"}],
            "deletedAt": None,
        },
        "userErrors": [],
    }
    data = await api(UPDATE, input={"id": add_on_id, "taxCodes": ["eco"]})
    assert data["updateAddOn"]["addOn"]["taxes"] == [{"code": "eco"}]
    data = await api(UPDATE, input={"id": add_on_id, "taxCodes": []})
    assert data["updateAddOn"]["addOn"]["taxes"] == []


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        ({"code": None}, "REQUIRED", ["code"]),
        ({"name": " "}, "REQUIRED", ["name"]),
        ({"amountCents": None}, "REQUIRED", ["amountCents"]),
        ({"amountCents": str(2**63)}, "VALUE_OUT_OF_RANGE", ["amountCents"]),
        ({"amountCurrency": None}, "REQUIRED", ["amountCurrency"]),
        ({"taxCodes": ["vat_20", "nope"]}, "TAX_NOT_FOUND", ["taxCodes", "1"]),
        ({"description": "d" * 1001}, "TOO_LONG", ["description"]),
    ],
)
async def test_invalid_update_is_rejected_and_writes_nothing(
    api: Api, change: dict[str, Any], code: str, path: list[str]
) -> None:
    await _tax(api, "vat_20")
    await _tax(api, "eco", "1")
    add_on_id = await _created_id(api, code="keep", taxCodes=["eco"])
    before = (await api(ALL))["addOns"]
    data = await api(UPDATE, input={"id": add_on_id, "name": "Changed", **change})
    assert data["updateAddOn"]["addOn"] is None
    assert {"field": path, "code": code} in _codes(data["updateAddOn"])
    assert (await api(ALL))["addOns"] == before


async def test_update_to_taken_code(api: Api) -> None:
    await _created_id(api, code="a")
    other = await _created_id(api, code="b")
    data = await api(UPDATE, input={"id": other, "code": "a"})
    assert _codes(data["updateAddOn"]) == [{"field": ["code"], "code": "TAKEN"}]
    data = await api(UPDATE, input={"id": other, "code": "b", "name": "B"})
    assert data["updateAddOn"]["userErrors"] == []


async def test_update_of_unknown_id_is_add_on_not_found(api: Api) -> None:
    data = await api(UPDATE, input={"id": MISSING_ID, "name": "x"})
    assert data["updateAddOn"]["addOn"] is None
    assert _codes(data["updateAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]


async def test_lookup_by_id_and_code(api: Api) -> None:
    add_on_id = await _created_id(api, code="look")
    assert (await api(ONE, id=add_on_id))["addOn"] == {"id": add_on_id, "code": "look"}
    assert (await api(ONE, code="look"))["addOn"] == {"id": add_on_id, "code": "look"}
    assert (await api(ONE, code="missing"))["addOn"] is None
    assert (await api(ONE))["addOn"] is None


async def test_deleted_add_on_is_gone_from_lookups_and_lists(api: Api) -> None:
    add_on_id = await _created_id(api, code="gone")
    kept = await _created_id(api, code="kept")
    data = await api(DELETE, id=add_on_id)
    assert data["deleteAddOn"]["userErrors"] == []
    assert data["deleteAddOn"]["addOn"]["id"] == add_on_id
    assert data["deleteAddOn"]["addOn"]["deletedAt"] is not None
    assert (await api(ONE, id=add_on_id))["addOn"] is None
    assert (await api(ONE, code="gone"))["addOn"] is None
    listed = (await api(LIST))["addOns"]
    assert listed["totalCount"] == 1
    assert listed["nodes"] == [{"code": "kept"}]
    assert (await api(LIST, searchTerm="gone"))["addOns"]["totalCount"] == 0
    assert (await api(ONE, id=kept))["addOn"] == {"id": kept, "code": "kept"}


async def test_deleted_add_on_cannot_be_changed_or_deleted_again(api: Api) -> None:
    add_on_id = await _created_id(api, code="gone")
    await api(DELETE, id=add_on_id)
    again = await api(DELETE, id=add_on_id)
    assert again["deleteAddOn"]["addOn"] is None
    assert _codes(again["deleteAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]
    update = await api(UPDATE, input={"id": add_on_id, "name": "back"})
    assert _codes(update["updateAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]


async def test_delete_of_unknown_id_is_add_on_not_found(api: Api) -> None:
    data = await api(DELETE, id=MISSING_ID)
    assert data["deleteAddOn"]["addOn"] is None
    assert _codes(data["deleteAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]


async def test_code_of_a_deleted_add_on_can_be_reused(api: Api) -> None:
    first = await _created_id(api, code="reuse")
    await api(DELETE, id=first)
    second = await _created_id(api, code="reuse", amountCents=2)
    await api(DELETE, id=second)
    third = await _created_id(api, code="reuse", amountCents=3)
    assert (await api(ONE, code="reuse"))["addOn"] == {"id": third, "code": "reuse"}
    other = await _created_id(api, code="other")
    await api(DELETE, id=third)
    renamed = await api(UPDATE, input={"id": other, "code": "reuse"})
    assert renamed["updateAddOn"]["userErrors"] == []


async def test_deleted_add_ons_still_load_by_id_for_old_invoices(api: Api, db: Database) -> None:
    await _tax(api, "vat_20")
    add_on_id = await _created_id(api, code="old", taxCodes=["vat_20"])
    await api(DELETE, id=add_on_id)
    async with db.read() as session:
        found = await add_ons_by_id(session, [add_on_id, MISSING_ID])
        taxes = await taxes_of_add_ons(session, [add_on_id, MISSING_ID])
    assert list(found) == [add_on_id]
    assert found[add_on_id].deleted_at is not None
    assert [tax.code for tax in taxes[add_on_id]] == ["vat_20"]
    assert taxes[MISSING_ID] == []


async def test_pagination_newest_first_with_keyset_cursors(api: Api) -> None:
    for index in range(5):
        await _created_id(api, code=f"a{index}")
    first = (await api(LIST, first=2))["addOns"]
    assert first["totalCount"] == 5
    assert [n["code"] for n in first["nodes"]] == ["a4", "a3"]
    assert [e["node"]["code"] for e in first["edges"]] == ["a4", "a3"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await api(LIST, first=2, after=first["pageInfo"]["endCursor"]))["addOns"]
    assert [n["code"] for n in second["nodes"]] == ["a2", "a1"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    third = (await api(LIST, first=2, after=second["pageInfo"]["endCursor"]))["addOns"]
    assert [n["code"] for n in third["nodes"]] == ["a0"]
    assert third["pageInfo"]["hasNextPage"] is False


async def test_page_size_and_cursor_are_checked(api: Api) -> None:
    for first in (0, 101):
        result = await api.raw(LIST, first=first)
        assert result.errors
        assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"
    result = await api.raw(LIST, after="garbage")
    assert result.errors
    assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"


async def test_search_matches_name_or_code_case_insensitively(api: Api) -> None:
    await _created_id(api, code="alpha", name="Zed Setup")
    await _created_id(api, code="ZED_support", name="Support")
    await _created_id(api, code="other", name="Nothing")
    await _created_id(api, code="under_score", name="Literal")
    found = (await api(LIST, searchTerm=" zed "))["addOns"]
    assert sorted(n["code"] for n in found["nodes"]) == ["ZED_support", "alpha"]
    assert found["totalCount"] == 2
    assert (await api(LIST, searchTerm="%"))["addOns"]["totalCount"] == 0
    assert [n["code"] for n in (await api(LIST, searchTerm="r_s"))["addOns"]["nodes"]] == [
        "under_score"
    ]
    assert (await api(LIST, searchTerm="   "))["addOns"]["totalCount"] == 4


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.read_engine.sync_engine, "before_cursor_execute", count)


async def test_taxes_of_a_page_load_in_one_query(api: Api, db: Database) -> None:
    await _tax(api, "vat_20")
    query = "query { addOns(first: 100) { nodes { code taxes { code } } } }"
    await _created_id(api, code="a0", taxCodes=["vat_20"])
    with _counting(db) as few:
        await api(query)
    for index in range(1, 8):
        await _created_id(api, code=f"a{index}", taxCodes=["vat_20"])
    with _counting(db) as many:
        data = await api(query)
    assert len(data["addOns"]["nodes"]) == 8
    assert all(n["taxes"] == [{"code": "vat_20"}] for n in data["addOns"]["nodes"])
    assert few
    assert len(many) == len(few)


async def test_another_organization_cannot_see_or_change_add_ons(
    api: Api, make_api: MakeApi
) -> None:
    await _tax(api, "vat_20")
    add_on_id = await _created_id(api, code="mine", taxCodes=["vat_20"])
    intruder = await make_api("Intruder")
    assert (await intruder(ONE, id=add_on_id))["addOn"] is None
    assert (await intruder(ONE, code="mine"))["addOn"] is None
    assert (await intruder(LIST))["addOns"]["totalCount"] == 0
    assert (await intruder(LIST, searchTerm="mine"))["addOns"]["nodes"] == []
    update = await intruder(UPDATE, input={"id": add_on_id, "name": "pwned"})
    assert _codes(update["updateAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]
    deleted = await intruder(DELETE, id=add_on_id)
    assert _codes(deleted["deleteAddOn"]) == [{"field": ["id"], "code": "ADD_ON_NOT_FOUND"}]
    # A's tax codes mean nothing in B.
    borrowed = await _create(intruder, code="mine", taxCodes=["vat_20"])
    assert _codes(borrowed) == [{"field": ["taxCodes", "0"], "code": "TAX_NOT_FOUND"}]
    assert (await api(ONE, id=add_on_id))["addOn"] == {"id": add_on_id, "code": "mine"}
    # The same code is free in another organization.
    assert (await _create(intruder, code="mine"))["userErrors"] == []
