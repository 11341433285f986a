from __future__ import annotations

import asyncio

from tests.conftest import Api, MakeApi

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id externalId sequentialId name email currency timezone netPaymentTerm
               country taxes { code } }
    userErrors { field code message }
  }
}
"""

UPDATE = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id externalId name email currency }
    userErrors { field code message }
  }
}
"""

LIST = """
query($first: Int, $after: String, $searchTerm: String) {
  customers(first: $first, after: $after, searchTerm: $searchTerm) {
    totalCount
    edges { cursor node { externalId } }
    nodes { externalId }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

COUNT = "query { customers { totalCount } }"


async def _create(api: Api, **fields: object) -> dict[str, object]:
    data = await api(CREATE, input=fields)
    payload: dict[str, object] = data["createCustomer"]
    return payload


async def test_create_customer_round_trips_every_field(api: Api) -> None:
    payload = await _create(
        api,
        externalId="  cust_1 ",
        name="Ada",
        email="ada@example.com",
        currency="EUR",
        timezone="Europe/Paris",
        netPaymentTerm=30,
        country="fr",
    )
    assert payload["userErrors"] == []
    customer = payload["customer"]
    assert customer == {
        "id": customer["id"],  # type: ignore[index]
        "externalId": "cust_1",
        "sequentialId": 1,
        "name": "Ada",
        "email": "ada@example.com",
        "currency": "EUR",
        "timezone": "Europe/Paris",
        "netPaymentTerm": 30,
        "country": "FR",
        "taxes": [],
    }
    second = await _create(api, externalId="cust_2")
    assert second["customer"]["sequentialId"] == 2  # type: ignore[index]


async def _assert_rejected(api: Api, fields: dict[str, object], code: str, path: list[str]) -> None:
    before = (await api(COUNT))["customers"]["totalCount"]
    payload = await _create(api, **fields)
    assert payload["customer"] is None
    assert {"field": path, "code": code} in [
        {"field": e["field"], "code": e["code"]}
        for e in payload["userErrors"]  # type: ignore[attr-defined]
    ], payload
    assert (await api(COUNT))["customers"]["totalCount"] == before


async def test_malformed_email_is_rejected(api: Api) -> None:
    await _assert_rejected(
        api, {"externalId": "x", "email": "not-an-email"}, "INVALID_VALUE", ["email"]
    )


async def test_unknown_timezone_is_rejected(api: Api) -> None:
    await _assert_rejected(
        api, {"externalId": "x", "timezone": "Mars/Olympus"}, "INVALID_VALUE", ["timezone"]
    )


async def test_blank_external_id_is_required(api: Api) -> None:
    await _assert_rejected(api, {"externalId": "   "}, "REQUIRED", ["externalId"])


async def test_overlong_name_is_rejected(api: Api) -> None:
    await _assert_rejected(api, {"externalId": "x", "name": "n" * 256}, "TOO_LONG", ["name"])


async def test_negative_net_payment_term_is_rejected(api: Api) -> None:
    await _assert_rejected(
        api, {"externalId": "x", "netPaymentTerm": -1}, "VALUE_OUT_OF_RANGE", ["netPaymentTerm"]
    )


async def test_unknown_tax_code_is_rejected(api: Api) -> None:
    await _assert_rejected(
        api, {"externalId": "x", "taxCodes": ["nope"]}, "TAX_NOT_FOUND", ["taxCodes", "0"]
    )


async def test_unknown_currency_is_a_graphql_error(api: Api) -> None:
    result = await api.raw(CREATE, input={"externalId": "x", "currency": "EURO"})
    assert result.errors
    assert "EURO" in result.errors[0].message
    assert (await api(COUNT))["customers"]["totalCount"] == 0


async def test_duplicate_external_id_is_taken(api: Api) -> None:
    await _create(api, externalId="dup")
    await _assert_rejected(api, {"externalId": "dup"}, "TAKEN", ["externalId"])


async def test_concurrent_duplicate_creates_make_one_customer(api: Api) -> None:
    payloads = await asyncio.gather(*(_create(api, externalId="race") for _ in range(10)))
    created = [p for p in payloads if p["customer"] is not None]
    assert len(created) == 1
    for payload in payloads:
        if payload["customer"] is None:
            assert payload["userErrors"][0]["code"] == "TAKEN"  # type: ignore[index]
    assert (await api(COUNT))["customers"]["totalCount"] == 1


async def test_update_changes_given_fields_only_and_clears_nulls(api: Api) -> None:
    customer_id = (await _create(api, externalId="u", name="Old", email="a@b.co"))["customer"]["id"]  # type: ignore[index]
    data = await api(UPDATE, input={"id": customer_id, "name": "New", "email": None})
    assert data["updateCustomer"] == {
        "customer": {
            "id": customer_id,
            "externalId": "u",
            "name": "New",
            "email": None,
            "currency": None,
        },
        "userErrors": [],
    }


async def test_update_to_taken_external_id(api: Api) -> None:
    await _create(api, externalId="a")
    other = (await _create(api, externalId="b"))["customer"]["id"]  # type: ignore[index]
    data = await api(UPDATE, input={"id": other, "externalId": "a"})
    assert data["updateCustomer"]["userErrors"][0]["code"] == "TAKEN"


async def test_lookup_by_id_and_external_id(api: Api) -> None:
    customer_id = (await _create(api, externalId="look"))["customer"]["id"]  # type: ignore[index]
    query = "query($id: ID, $ext: String) { customer(id: $id, externalId: $ext) { externalId } }"
    assert (await api(query, id=customer_id))["customer"] == {"externalId": "look"}
    assert (await api(query, ext="look"))["customer"] == {"externalId": "look"}
    assert (await api(query, ext="missing"))["customer"] is None


async def test_pagination_newest_first_with_keyset_cursors(api: Api) -> None:
    for index in range(5):
        await _create(api, externalId=f"c{index}")
    first = (await api(LIST, first=2))["customers"]
    assert first["totalCount"] == 5
    assert [n["externalId"] for n in first["nodes"]] == ["c4", "c3"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await api(LIST, first=2, after=first["pageInfo"]["endCursor"]))["customers"]
    assert [n["externalId"] for n in second["nodes"]] == ["c2", "c1"]
    third = (await api(LIST, first=2, after=second["pageInfo"]["endCursor"]))["customers"]
    assert [n["externalId"] for n in third["nodes"]] == ["c0"]
    assert third["pageInfo"]["hasNextPage"] is False


async def test_page_size_and_cursor_are_checked(api: Api) -> None:
    for first in (0, 101):
        result = await api.raw(LIST, first=first)
        assert result.errors
        assert result.errors[0].extensions is not None
        assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"
    result = await api.raw(LIST, after="garbage")
    assert result.errors
    assert result.errors[0].extensions is not None
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_search_matches_name_external_id_or_email_case_insensitively(api: Api) -> None:
    await _create(api, externalId="alpha", name="Zed Corp")
    await _create(api, externalId="beta", email="BILLING@zed.io")
    await _create(api, externalId="ZED-3")
    await _create(api, externalId="other", name="Nobody")
    found = (await api(LIST, searchTerm="zed"))["customers"]
    assert sorted(n["externalId"] for n in found["nodes"]) == ["ZED-3", "alpha", "beta"]
    assert found["totalCount"] == 3
    literal = (await api(LIST, searchTerm="%"))["customers"]
    assert literal["totalCount"] == 0


async def test_another_organization_cannot_see_or_change_customers(
    api: Api, make_api: MakeApi
) -> None:
    customer_id = (await _create(api, externalId="mine"))["customer"]["id"]  # type: ignore[index]
    intruder = await make_api("Intruder")
    query = "query($id: ID, $ext: String) { customer(id: $id, externalId: $ext) { id } }"
    assert (await intruder(query, id=customer_id))["customer"] is None
    assert (await intruder(query, ext="mine"))["customer"] is None
    assert (await intruder(LIST))["customers"]["totalCount"] == 0
    data = await intruder(UPDATE, input={"id": customer_id, "name": "pwned"})
    assert data["updateCustomer"]["userErrors"][0]["code"] == "CUSTOMER_NOT_FOUND"
    # The same externalId is free in another organization.
    assert (await _create(intruder, externalId="mine"))["userErrors"] == []
