"""`oneoff serve --seed-demo`, through the console script: what `make run` shows a new user."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from models.store import tables
from models.store.db import Database
from tests.databases import FreshDatabase, Provisioner
from tests.server import Server, StartServer, server_factory, sqlite_url

__all__ = ["server_factory"]

KEY_LINE = re.compile(r"^Demo API key: (oo_\S+)$", re.MULTILINE)
CATALOG = """
{
  organization { name defaultTaxes { code } }
  customers(first: 100) { totalCount nodes { externalId } }
  addOns(first: 100) { totalCount nodes { code amountCurrency } }
  taxes(first: 100) { totalCount nodes { code } }
}
"""
COUNTED = (
    tables.Organization,
    tables.ApiKey,
    tables.Customer,
    tables.AddOn,
    tables.Tax,
    tables.Invoice,
)


@pytest.fixture
def empty_database(provisioner: Provisioner, fresh_database: FreshDatabase, tmp_path: Path) -> str:
    """On SQLite a file that does not exist yet, as on a fresh clone; on PostgreSQL an empty
    migrated database."""
    if provisioner.engine == "sqlite":
        return sqlite_url(tmp_path / "db" / "oneoff.sqlite3")
    return fresh_database()


def demo_key(server: Server) -> str:
    keys = KEY_LINE.findall(server.log())
    assert len(keys) == 1, server.log_tail()
    key: str = keys[0]
    return key


def graphiql_printed(server: Server) -> bool:
    return f"http://127.0.0.1:{server.port}/graphql" in server.log()


def catalog(server: Server, key: str) -> dict[str, Any]:
    with server.client() as http:
        response = http.post(
            "/graphql", json={"query": CATALOG}, headers={"Authorization": f"Bearer {key}"}
        )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def row_counts(database_url: str) -> dict[str, int]:
    async def count() -> dict[str, int]:
        db = Database(database_url)
        try:
            async with db.read() as session:
                return {
                    table.__tablename__: int(
                        await session.scalar(select(func.count()).select_from(table)) or 0
                    )
                    for table in COUNTED
                }
        finally:
            await db.dispose()

    return asyncio.run(count())


def test_seed_demo_prints_a_working_key_once_and_seeds_only_an_empty_database(
    server_factory: StartServer, empty_database: str, tmp_path: Path
) -> None:
    first = server_factory(database_url=empty_database, extra_args=["--seed-demo"])

    assert graphiql_printed(first), first.log_tail()
    key = demo_key(first)
    # The key file lands under the working directory's var/, never in the repository.
    key_file = tmp_path / "servers" / "var" / "demo-api-key.txt"
    assert key_file.read_text().strip() == key

    seeded = catalog(first, key)
    assert seeded["organization"]["name"]
    assert seeded["customers"]["totalCount"] >= 2
    currencies = {node["amountCurrency"] for node in seeded["addOns"]["nodes"]}
    assert len(currencies) >= 2, currencies
    assert seeded["taxes"]["totalCount"] >= 1
    with first.client() as http:
        wrong = http.post(
            "/graphql", json={"query": CATALOG}, headers={"Authorization": f"Bearer {key}x"}
        ).json()
    assert [e["extensions"]["code"] for e in wrong["errors"]] == ["UNAUTHENTICATED"]
    counts = row_counts(empty_database)
    assert counts["organizations"] == 1
    assert counts["api_keys"] == 1
    first.stop()
    assert not first.running

    second = server_factory(database_url=empty_database, extra_args=["--seed-demo"])

    assert graphiql_printed(second), second.log_tail()
    assert demo_key(second) == key
    assert row_counts(empty_database) == counts
    assert catalog(second, key) == seeded


def test_serve_without_seed_demo_seeds_nothing(
    server_factory: StartServer, empty_database: str, tmp_path: Path
) -> None:
    server = server_factory(database_url=empty_database)

    assert KEY_LINE.search(server.log()) is None
    assert not (tmp_path / "servers" / "var" / "demo-api-key.txt").exists()
    assert row_counts(empty_database)["organizations"] == 0
    with server.client() as http:
        assert http.get("/health").status_code == 200
