"""Alembic: the migrations build the schema from nothing, and the models agree with them.

On SQLite always; on PostgreSQL too when TEST_DATABASE_URL is set (a throwaway database is
created next to it and dropped after).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from models.store import migrate
from models.store.tables import metadata
from tests.server import create_organization_key, organization_name, run_cli, sqlite_url

SCRIPTS = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
HEAD = SCRIPTS.get_current_head()
PG_ENV = "TEST_DATABASE_URL"


def _state(connection: Connection) -> tuple[set[str], str | None]:
    tables = set(inspect(connection).get_table_names())
    return tables, MigrationContext.configure(connection).get_current_revision()


def _diffs(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, metadata))


def _downgrade_to_base(connection: Connection, url: str) -> None:
    config = migrate.alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, "base")


async def run(url: str, function: Any, *args: Any) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(function, *args)
    finally:
        await engine.dispose()


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "var" / "empty.sqlite3")  # nor its directory
        return
    admin_url = os.environ.get(PG_ENV)
    if not admin_url:
        pytest.skip(f"PostgreSQL half skipped: set {PG_ENV} to run it")
    name = f"oneoff_migrations_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_the_migrations_have_one_head() -> None:
    assert len(SCRIPTS.get_heads()) == 1


async def test_upgrade_from_an_empty_database_creates_every_table_at_head(empty_url: str) -> None:
    await migrate.upgrade(empty_url)

    tables, revision = await run(empty_url, _state)
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert revision == HEAD


async def test_the_models_match_the_migrations(empty_url: str) -> None:
    await migrate.upgrade(empty_url)

    diffs = await run(empty_url, _diffs)

    assert diffs == [], (
        "models/store/tables and migrations disagree; add a migration:\n"
        + "\n".join(map(str, diffs))
    )


async def test_upgrading_twice_changes_nothing(empty_url: str) -> None:
    await migrate.upgrade(empty_url)

    await migrate.upgrade(empty_url)

    assert (await run(empty_url, _state))[1] == HEAD
    assert await run(empty_url, _diffs) == []


async def test_downgrade_to_base_removes_everything_and_upgrade_rebuilds(empty_url: str) -> None:
    await migrate.upgrade(empty_url)

    await run(empty_url, _downgrade_to_base, empty_url)
    tables, revision = await run(empty_url, _state)
    assert tables <= {"alembic_version"}
    assert revision is None

    await migrate.upgrade(empty_url)
    assert await run(empty_url, _diffs) == []


def test_oneoff_migrate_twice_is_harmless(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "twice.sqlite3")
    first = run_cli("migrate", database_url=url)
    assert first.returncode == 0, first.stderr
    key = create_organization_key(url, "Still Here")

    second = run_cli("migrate", database_url=url)

    assert second.returncode == 0, second.stderr
    assert "Running upgrade" in first.stderr
    assert "Running upgrade" not in second.stderr
    assert organization_name(url, key) == "Still Here"
