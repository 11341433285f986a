"""API keys: at most MAX_LIVE_API_KEYS live per organization, listed as a connection."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlmodel import col, select

from graph import cli
from models.inputs.errors import ErrorCode, Rejected
from models.organizations import api_keys
from models.organizations.api_keys import MAX_LIVE_API_KEYS
from models.store import tables
from models.store.settings import get_settings
from tests.conftest import Api, MakeApi

CREATE = """
mutation {
  createApiKey { key apiKey { id createdAt revokedAt } userErrors { field code message } }
}
"""
REVOKE = """
mutation($id: ID!) {
  revokeApiKey(id: $id) { apiKey { id revokedAt } userErrors { field code message } }
}
"""
KEYS = """
query($first: Int, $after: String, $revoked: Boolean) {
  organization {
    apiKeys(first: $first, after: $after, revoked: $revoked) {
      totalCount
      nodes { id createdAt revokedAt }
      edges { cursor node { id } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


def organization_id(api: Api) -> str:
    assert api.organization is not None
    return api.organization.id


def key_id(plain: str) -> str:
    """The key id embedded in a key: `oo_<32 hex>_<secret>`."""
    return str(uuid.UUID(plain.split("_")[1]))


async def create(api: Api) -> dict[str, Any]:
    payload: dict[str, Any] = (await api(CREATE))["createApiKey"]
    return payload


async def created_id(api: Api) -> str:
    payload = await create(api)
    assert payload["userErrors"] == [], payload["userErrors"]
    return str(payload["apiKey"]["id"])


async def keys(api: Api, **variables: Any) -> dict[str, Any]:
    connection: dict[str, Any] = (await api(KEYS, **variables))["organization"]["apiKeys"]
    return connection


async def stored(api: Api) -> list[tuple[str, bool]]:
    """Every key row of the organization, live or not, straight from the table."""
    async with api.db.read() as session:
        rows = await session.exec(
            select(tables.ApiKey).where(tables.ApiKey.organization_id == organization_id(api))
        )
        return sorted((row.id, row.revoked_at is None) for row in rows)


async def live(api: Api) -> int:
    return sum(1 for _, is_live in await stored(api) if is_live)


async def fill(api: Api, count: int) -> None:
    """Insert live keys directly until the organization has `count` (faster than the API)."""
    missing = count - await live(api)
    async with api.db.write() as session:
        for _ in range(missing):
            session.add(tables.ApiKey(organization_id=organization_id(api), secret_hash="0" * 64))
    assert await live(api) == count


def only_limit_reached(payload: dict[str, Any]) -> str:
    assert payload["apiKey"] is None
    assert payload["key"] is None
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("LIMIT_REACHED", None)
    return str(error["message"])


# The cap.


async def test_the_key_past_the_cap_is_refused_and_nothing_is_written(api: Api) -> None:
    await fill(api, MAX_LIVE_API_KEYS - 1)
    await created_id(api)
    before = await stored(api)

    message = only_limit_reached(await create(api))

    assert f"at most {MAX_LIVE_API_KEYS} live API keys" in message
    assert "revoke one" in message
    assert await stored(api) == before
    assert (await keys(api, first=1))["totalCount"] == MAX_LIVE_API_KEYS


async def test_revoking_a_key_makes_room_for_exactly_one_more(api: Api) -> None:
    await fill(api, MAX_LIVE_API_KEYS)
    only_limit_reached(await create(api))

    revoked = (await api(REVOKE, id=key_id(api.key)))["revokeApiKey"]
    assert revoked["userErrors"] == []

    await created_id(api)
    assert await live(api) == MAX_LIVE_API_KEYS
    assert len(await stored(api)) == MAX_LIVE_API_KEYS + 1, "revoked keys stay, and do not count"
    only_limit_reached(await create(api))


async def test_the_cap_is_per_organization(api: Api, make_api: MakeApi) -> None:
    other = await make_api("Other")
    await fill(api, MAX_LIVE_API_KEYS)

    await created_id(other)

    only_limit_reached(await create(api))
    assert await live(other) == 2


async def test_the_model_raises_rejected_for_every_caller(api: Api) -> None:
    await fill(api, MAX_LIVE_API_KEYS)
    with pytest.raises(Rejected) as raised:
        await api_keys.create_api_key(api.db, organization_id(api))
    assert [error.code for error in raised.value.errors] == [ErrorCode.LIMIT_REACHED]


async def test_the_cli_refuses_past_the_cap(
    api: Api, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(api, MAX_LIVE_API_KEYS)
    before = await stored(api)
    monkeypatch.setenv("DATABASE_URL", api.db.url)
    get_settings.cache_clear()
    try:
        # `cli.main` runs its own event loop: give it a thread of its own.
        status = await asyncio.to_thread(cli.main, ["create-api-key", organization_id(api)])
    finally:
        get_settings.cache_clear()

    assert status == 1
    captured = capsys.readouterr()
    assert "oo_" not in captured.out
    assert captured.err.startswith("error: ")
    assert "revoke one" in captured.err
    assert await stored(api) == before


@pytest.mark.parametrize("racers", [2, 5])
async def test_concurrent_creates_at_the_boundary_stop_at_the_cap(
    api: Api, monkeypatch: pytest.MonkeyPatch, racers: int
) -> None:
    await fill(api, MAX_LIVE_API_KEYS - 1)
    real_count = api_keys.count_live_api_keys

    async def slow_count(session: Any, organization: str) -> int:
        counted = await real_count(session, organization)
        # Every racer would have counted 99 before any inserts, unless they are serialized.
        await asyncio.sleep(0.2)
        return counted

    monkeypatch.setattr(api_keys, "count_live_api_keys", slow_count)

    payloads = await asyncio.gather(*(create(api) for _ in range(racers)))

    winners = [payload for payload in payloads if payload["userErrors"] == []]
    assert len(winners) == 1
    for payload in payloads:
        if payload not in winners:
            only_limit_reached(payload)
    assert await live(api) == MAX_LIVE_API_KEYS


# The connection.


async def test_keys_page_newest_first(api: Api) -> None:
    ids = [key_id(api.key)] + [await created_id(api) for _ in range(4)]
    newest_first = ids[::-1]

    first = await keys(api, first=2)
    second = await keys(api, first=2, after=first["pageInfo"]["endCursor"])
    third = await keys(api, first=2, after=second["pageInfo"]["endCursor"])

    pages = [first, second, third]
    assert [[node["id"] for node in page["nodes"]] for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:],
    ]
    assert [page["totalCount"] for page in pages] == [5, 5, 5]
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False, True, True]
    for page in pages:
        assert [edge["node"]["id"] for edge in page["edges"]] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
    everything = await keys(api, first=100)
    assert [node["id"] for node in everything["nodes"]] == newest_first
    assert everything["pageInfo"]["hasNextPage"] is False


async def test_twenty_keys_by_default(api: Api) -> None:
    await fill(api, 25)
    page = await keys(api)
    assert len(page["nodes"]) == 20
    assert page["totalCount"] == 25
    assert page["pageInfo"]["hasNextPage"] is True


async def test_revoked_narrows_to_live_or_revoked_keys(api: Api) -> None:
    ids = [key_id(api.key)] + [await created_id(api) for _ in range(3)]
    for revoked_id in ids[:2]:
        assert (await api(REVOKE, id=revoked_id))["revokeApiKey"]["userErrors"] == []

    live_keys = await keys(api, revoked=False)
    revoked_keys = await keys(api, revoked=True)
    both = await keys(api)

    assert [node["id"] for node in live_keys["nodes"]] == ids[:1:-1]
    assert all(node["revokedAt"] is None for node in live_keys["nodes"])
    assert live_keys["totalCount"] == 2
    assert [node["id"] for node in revoked_keys["nodes"]] == ids[1::-1]
    assert all(node["revokedAt"] for node in revoked_keys["nodes"])
    assert revoked_keys["totalCount"] == 2
    assert both["totalCount"] == 4
    page = await keys(api, first=1, revoked=False)
    rest = await keys(api, first=1, after=page["pageInfo"]["endCursor"], revoked=False)
    assert [page["nodes"][0]["id"], rest["nodes"][0]["id"]] == ids[:1:-1]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_the_connection_holds_only_the_callers_keys(api: Api, make_api: MakeApi) -> None:
    other = await make_api("Other")
    theirs = [key_id(other.key)] + [await created_id(other) for _ in range(3)]

    mine = await keys(api, first=100)

    assert mine["totalCount"] == 1
    assert [node["id"] for node in mine["nodes"]] == [key_id(api.key)]
    # A cursor taken from the other organization's list still reads only the caller's keys.
    their_page = await keys(other, first=1)
    assert their_page["nodes"][0]["id"] == theirs[-1]
    after_theirs = await keys(api, first=100, after=their_page["pageInfo"]["endCursor"])
    assert {node["id"] for node in after_theirs["nodes"]} <= {key_id(api.key)}
    assert after_theirs["totalCount"] == 1


async def test_page_size_and_cursor_are_checked(api: Api) -> None:
    for variables in ({"first": 0}, {"first": 101}, {"after": "garbage"}):
        result = await api.raw(KEYS, **variables)
        assert result.errors, variables
        assert (result.errors[0].extensions or {}).get("code") == "BAD_USER_INPUT"


async def test_a_revoked_key_is_kept_and_listed_as_revoked(api: Api) -> None:
    second = await created_id(api)
    assert (await api(REVOKE, id=second))["revokeApiKey"]["userErrors"] == []

    nodes = (await keys(api))["nodes"]

    assert [node["id"] for node in nodes] == [second, key_id(api.key)]
    assert nodes[0]["revokedAt"] is not None
    assert nodes[1]["revokedAt"] is None
    async with api.db.read() as session:
        row = (
            await session.exec(
                select(tables.ApiKey).where(col(tables.ApiKey.revoked_at).is_not(None))
            )
        ).one()
    assert row.id == second
