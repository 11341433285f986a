"""The API key cache: a key found live is trusted for `cache_seconds` without another read,
a revocation by this process is seen at once, and one by another process within the delay."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update
from sqlmodel import col

from models.organizations import key_cache
from models.organizations.api_keys import authenticate, create_api_key, revoke_api_key
from models.organizations.organizations import create_organization
from models.store.columns import utcnow
from models.store.db import Database
from models.store.tables import ApiKey, Organization


async def _revoke_as_another_process_would(db: Database, key_id: str) -> None:
    # Another process's revocation reaches this one only through the database.
    async with db.write() as session:
        await session.execute(
            update(ApiKey).where(col(ApiKey.id) == key_id).values(revoked_at=utcnow())
        )


async def test_a_cached_key_is_trusted_until_its_entry_expires(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    organization, issued = await create_organization(db, "Cached Inc")
    found = await authenticate(db, issued.plain, cache_seconds=5)
    assert found is not None
    assert found.id == organization.id
    await _revoke_as_another_process_would(db, issued.api_key.id)

    still = await authenticate(db, issued.plain, cache_seconds=5)
    assert still is not None
    assert still.id == organization.id
    # Without the cache, the revocation is seen at once.
    assert await authenticate(db, issued.plain) is None

    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 5.01)
    assert await authenticate(db, issued.plain, cache_seconds=5) is None


async def test_a_revocation_by_this_process_is_seen_at_once(db: Database) -> None:
    organization, first = await create_organization(db, "Revoking Inc")
    await create_api_key(db, organization.id)
    assert await authenticate(db, first.plain, cache_seconds=60) is not None
    await revoke_api_key(db, organization.id, first.api_key.id)
    assert await authenticate(db, first.plain, cache_seconds=60) is None


async def test_a_wrong_secret_is_never_cached_nor_served_from_the_cache(db: Database) -> None:
    _, issued = await create_organization(db, "Guessing Inc")
    assert await authenticate(db, issued.plain, cache_seconds=60) is not None
    forged = issued.plain[:-1] + ("A" if issued.plain[-1] != "A" else "B")
    assert await authenticate(db, forged, cache_seconds=60) is None
    assert key_cache.cached(db.url, forged) is None


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(key_cache, "MAX_ENTRIES", 3)
    monkeypatch.setattr(key_cache, "_entries", type(key_cache._entries)())
    organization = Organization(name="Bounded Inc", document_number_prefix="BOU")
    for n in range(5):
        key_cache.remember(
            "db", f"key{n}", f"id{n}", organization, 60, read_at=key_cache.generation()
        )
    assert len(key_cache._entries) == 3
    assert key_cache.cached("db", "key0") is None
    assert key_cache.cached("db", "key4") is organization


async def test_a_read_that_began_before_a_revocation_is_not_remembered(db: Database) -> None:
    organization, issued = await create_organization(db, "Racing Inc")
    read_at = key_cache.generation()
    # The revocation commits while a request that read the key live is on its way back.
    key_cache.forget(issued.api_key.id)
    key_cache.remember(db.url, issued.plain, issued.api_key.id, organization, 60, read_at=read_at)
    assert key_cache.cached(db.url, issued.plain) is None
