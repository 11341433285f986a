"""API keys are stored hashed: no table holds a key or its secret in any form but the hash."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlmodel import SQLModel, select

from models.organizations.organizations import create_organization
from models.store.db import Database
from models.store.tables import ApiKey


async def test_api_keys_are_stored_as_a_sha256_of_their_secret_only(db: Database) -> None:
    organization, issued = await create_organization(db, "Hashing Inc")
    plain = issued.plain
    key_hex, secret = plain.removeprefix("oo_").split("_", 1)
    assert plain == f"oo_{key_hex}_{secret}"
    assert len(secret) >= 32

    async with db.read() as session:
        stored = (await session.exec(select(ApiKey).where(ApiKey.id == issued.api_key.id))).one()
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert stored.organization_id == organization.id
        # No column of any table holds the key or its secret, in any form but the hash.
        for table in SQLModel.metadata.sorted_tables:
            rows = (await session.execute(text(f'SELECT * FROM "{table.name}"'))).all()
            for row in rows:
                for value in row:
                    assert plain not in str(value), (table.name, value)
                    assert secret not in str(value), (table.name, value)
