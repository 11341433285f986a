"""API keys over HTTP: Bearer auth, several keys per organization, revocation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from graph.app import create_app
from models.inputs.errors import ErrorCode, Rejected
from models.organizations.api_keys import authenticate, create_api_key, revoke_api_key
from models.store.settings import Settings
from tests.conftest import Api, MakeApi

ORGANIZATION = "{ organization { id name } }"
API_KEYS = "{ organization { apiKeys { nodes { id revokedAt } } } }"
CREATE_KEY = "mutation { createApiKey { key apiKey { id revokedAt } userErrors { code } } }"
REVOKE_KEY = """
mutation($id: ID!) {
  revokeApiKey(id: $id) { apiKey { id revokedAt } userErrors { field code message } }
}
"""
CREATE_CUSTOMER = """
mutation { createCustomer(input: {externalId: "c1"}) { customer { id } userErrors { code } } }
"""


def key_id(key: str) -> str:
    return str(uuid.UUID(key.split("_")[1]))


class Http:
    """POST /graphql through the real ASGI app (view, auth, middleware), in-process."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(
        self, query: str, authorization: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        headers = {"Authorization": authorization} if authorization is not None else {}
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        return body

    async def as_key(self, key: str, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.post(query, f"Bearer {key}", **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def reaches(self, key: str) -> str | None:
        """The name of the organization `key` reaches, None when it is refused."""
        body = await self.post(ORGANIZATION, f"Bearer {key}")
        if body["data"] is None:
            assert codes(body) == ["UNAUTHENTICATED"]
            return None
        name: str = body["data"]["organization"]["name"]
        return name


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[Http]:
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield Http(client)
    await app.state.db.dispose()


async def test_a_valid_key_reaches_its_own_organization(http: Http, make_api: MakeApi) -> None:
    acme = await make_api("Acme Corp")
    globex = await make_api("Globex")

    assert await http.reaches(acme.key) == "Acme Corp"
    assert await http.reaches(globex.key) == "Globex"


async def test_the_scheme_is_case_insensitive(http: Http, api: Api) -> None:
    data = (await http.post(ORGANIZATION, f"bearer {api.key}"))["data"]

    assert data["organization"]["name"] == "Acme Corp"


WRONG_AUTHORIZATIONS: dict[str, Callable[[str], str | None]] = {
    "missing": lambda key: None,
    "empty": lambda key: "",
    "scheme only": lambda key: "Bearer",
    "not a key": lambda key: "Bearer not-a-key",
    "no scheme": lambda key: key,
    "other scheme": lambda key: f"Basic {key}",
    "unknown key id": lambda key: f"Bearer oo_{uuid.uuid4().hex}_{key.split('_', 2)[2]}",
    "wrong secret": lambda key: f"Bearer {key[:-4]}AAAA",
    "extra character": lambda key: f"Bearer {key}x",
    "key id alone": lambda key: f"Bearer oo_{key.split('_')[1]}_",
}


@pytest.mark.parametrize("authorization", WRONG_AUTHORIZATIONS.values(), ids=WRONG_AUTHORIZATIONS)
async def test_a_missing_or_wrong_key_is_unauthenticated_and_says_nothing_more(
    http: Http, api: Api, authorization: Callable[[str], str | None]
) -> None:
    missing = await http.post(ORGANIZATION)

    body = await http.post(ORGANIZATION, authorization(api.key))

    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
    assert body == missing  # the same words whatever was wrong: nothing to probe


async def test_no_field_of_an_unauthenticated_query_is_resolved(http: Http, api: Api) -> None:
    body = await http.post(
        "{ organization { name } customers { totalCount } taxes { totalCount } }",
        "Bearer oo_wrong",
    )

    assert body["data"] is None
    assert set(codes(body)) == {"UNAUTHENTICATED"}


async def test_an_unauthenticated_mutation_writes_nothing(http: Http, api: Api) -> None:
    body = await http.post(CREATE_CUSTOMER)

    assert body["data"] is None
    assert codes(body) == ["UNAUTHENTICATED"]
    assert (await api("{ customers { totalCount } }"))["customers"]["totalCount"] == 0


async def test_create_api_key_adds_a_key_and_both_keys_work(http: Http, api: Api) -> None:
    created = (await http.as_key(api.key, CREATE_KEY))["createApiKey"]

    new_key = created["key"]
    assert created["userErrors"] == []
    assert created["apiKey"] == {"id": key_id(new_key), "revokedAt": None}
    assert await http.reaches(new_key) == "Acme Corp"
    assert await http.reaches(api.key) == "Acme Corp"
    keys = (await http.as_key(new_key, API_KEYS))["organization"]["apiKeys"]["nodes"]
    assert sorted(key["id"] for key in keys) == sorted([key_id(api.key), key_id(new_key)])


async def test_a_revoked_key_stops_working_while_the_other_still_does(http: Http, api: Api) -> None:
    new_key = (await http.as_key(api.key, CREATE_KEY))["createApiKey"]["key"]

    revoked = (await http.as_key(new_key, REVOKE_KEY, id=key_id(api.key)))["revokeApiKey"]

    assert revoked["userErrors"] == []
    assert revoked["apiKey"]["id"] == key_id(api.key)
    assert revoked["apiKey"]["revokedAt"] is not None
    assert await http.reaches(api.key) is None
    assert await http.reaches(new_key) == "Acme Corp"
    keys = (await http.as_key(new_key, API_KEYS))["organization"]["apiKeys"]["nodes"]
    assert {key["id"]: key["revokedAt"] is not None for key in keys} == {
        key_id(api.key): True,
        key_id(new_key): False,
    }


async def test_a_key_can_revoke_itself_when_another_is_live(http: Http, api: Api) -> None:
    new_key = (await http.as_key(api.key, CREATE_KEY))["createApiKey"]["key"]

    revoked = (await http.as_key(api.key, REVOKE_KEY, id=key_id(api.key)))["revokeApiKey"]

    assert revoked["userErrors"] == []
    assert await http.reaches(api.key) is None
    assert await http.reaches(new_key) == "Acme Corp"


async def test_the_last_live_key_cannot_be_revoked(http: Http, api: Api) -> None:
    payload = (await http.as_key(api.key, REVOKE_KEY, id=key_id(api.key)))["revokeApiKey"]

    assert payload["apiKey"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["id"], "LAST_API_KEY")]
    assert await http.reaches(api.key) == "Acme Corp"


async def test_another_organizations_key_is_not_found(
    http: Http, api: Api, make_api: MakeApi
) -> None:
    other = await make_api("Globex")
    await http.as_key(other.key, CREATE_KEY)  # so that "last key" cannot be the reason

    payload = (await http.as_key(api.key, REVOKE_KEY, id=key_id(other.key)))["revokeApiKey"]
    unknown = (await http.as_key(api.key, REVOKE_KEY, id=str(uuid.uuid4())))["revokeApiKey"]

    assert [e["code"] for e in payload["userErrors"]] == ["API_KEY_NOT_FOUND"]
    assert payload["userErrors"] == unknown["userErrors"]
    assert await http.reaches(other.key) == "Globex"


async def test_a_revoked_key_cannot_be_revoked_again(http: Http, api: Api) -> None:
    await http.as_key(api.key, CREATE_KEY)
    new_key = (await http.as_key(api.key, CREATE_KEY))["createApiKey"]["key"]
    await http.as_key(new_key, REVOKE_KEY, id=key_id(api.key))

    again = (await http.as_key(new_key, REVOKE_KEY, id=key_id(api.key)))["revokeApiKey"]

    assert [e["code"] for e in again["userErrors"]] == ["API_KEY_NOT_FOUND"]


async def test_two_keys_revoked_at_once_leave_one_live(api: Api) -> None:
    """Found in review: on PostgreSQL both revocations could count two live keys."""
    assert api.organization is not None
    for _ in range(5):
        other = await create_api_key(api.db, api.organization.id)
        live = [key_id(api.key), other.api_key.id]
        outcomes = await asyncio.gather(
            *(revoke_api_key(api.db, api.organization.id, one) for one in live),
            return_exceptions=True,
        )
        refused = [o for o in outcomes if isinstance(o, Rejected)]
        assert len(refused) == 1, outcomes
        assert refused[0].errors[0].code == ErrorCode.LAST_API_KEY
        survivor = live[0] if outcomes[0] is refused[0] else live[1]
        api.key = api.key if survivor == key_id(api.key) else other.plain
        assert await authenticate(api.db, api.key) is not None
