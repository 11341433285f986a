"""Fixtures: a migrated SQLite file per test, organizations with keys, and an in-process client."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from graph.context import Context
from graph.schema import schema
from models import migrate, tables
from models.db import Database
from models.organizations import create_organization
from models.settings import Settings


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrations run once; each test gets a copy of the migrated file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def database_url(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "oneoff.sqlite3"
    shutil.copyfile(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url, ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS=True)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


class GraphQLFailure(AssertionError):
    pass


@dataclass
class Api:
    """Runs documents against the real schema in-process, as one organization."""

    db: Database
    settings: Settings
    organization: tables.Organization | None
    key: str

    async def raw(self, document: str, **variables: Any) -> ExecutionResult:
        context = Context(
            db=self.db, settings=self.settings, request_id="test", organization=self.organization
        )
        return await schema.execute(document, variable_values=variables, context_value=context)

    async def __call__(self, document: str, **variables: Any) -> dict[str, Any]:
        result = await self.raw(document, **variables)
        if result.errors:
            raise GraphQLFailure([error.formatted for error in result.errors])
        assert result.data is not None
        return result.data


MakeApi = Callable[[str], Awaitable[Api]]


@pytest.fixture
def make_api(db: Database, settings: Settings) -> MakeApi:
    async def make(name: str) -> Api:
        organization, key = await create_organization(db, name)
        return Api(db=db, settings=settings, organization=organization, key=key.plain)

    return make


@pytest.fixture
async def api(make_api: MakeApi) -> Api:
    return await make_api("Acme Corp")
