"""Fixtures: a migrated database per test (SQLite, and PostgreSQL when asked), organizations
with keys, and an in-process client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from strawberry.types import ExecutionResult

from graph.context import Context
from graph.schema import schema
from models.organizations.organizations import create_organization
from models.store import tables
from models.store.db import Database
from models.store.settings import Settings
from tests.databases import (
    ENGINES,
    PG_SKIP_REASON,
    FreshDatabase,
    Provisioner,
    postgres_admin_url,
)


@pytest.fixture(scope="session", params=ENGINES)
def provisioner(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Provisioner]:
    """The whole suite runs once per engine; PostgreSQL only where TEST_DATABASE_URL says."""
    engine: str = request.param
    if engine == "postgresql" and postgres_admin_url() is None:
        pytest.skip(PG_SKIP_REASON)
    provisioner = Provisioner(engine, tmp_path_factory.mktemp(engine))
    yield provisioner
    provisioner.close()


@pytest.fixture
def fresh_database(provisioner: Provisioner, tmp_path: Path) -> Iterator[FreshDatabase]:
    """Makes as many new migrated databases as a test wants; all dropped after it."""
    made: list[str] = []

    def make() -> str:
        url = provisioner.fresh(tmp_path)
        made.append(url)
        return url

    yield make
    for url in made:
        provisioner.drop(url)


@pytest.fixture
def database_url(fresh_database: FreshDatabase) -> str:
    return fresh_database()


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One plain line, rather than a skip per test, when the PostgreSQL half did not run."""
    if postgres_admin_url() is None:
        terminalreporter.write_line(PG_SKIP_REASON, yellow=True)
