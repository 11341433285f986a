"""`oneoff`: the console script as a user types it, and its failures in-process."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import cli
from graph.schema import schema
from models import migrate
from models.db import Database
from models.organizations import authenticate, create_api_key
from models.settings import get_settings
from tests.server import create_organization_key, organization_name, run_cli, sqlite_url

KEY_LINE = re.compile(r"oo_[0-9a-f]{32}_[A-Za-z0-9_-]+")


def key_id(key: str) -> str:
    return str(uuid.UUID(key.split("_")[1]))


def issue_second_key(url: str, key: str) -> str:
    async def issue() -> str:
        db = Database(url)
        try:
            organization = await authenticate(db, key)
            assert organization is not None
            return (await create_api_key(db, organization.id)).plain
        finally:
            await db.dispose()

    return asyncio.run(issue())


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A database file that does not exist yet."""
    return sqlite_url(tmp_path / "cli.sqlite3")


@pytest.fixture
def in_process(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`cli.main` in this process reads DATABASE_URL=url."""
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_export_schema_prints_the_sdl(url: str) -> None:
    result = run_cli("export-schema", database_url=url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == schema.as_str() + "\n"


def test_create_organization_prints_its_key_alone_on_the_last_line(url: str) -> None:
    result = run_cli("create-organization", "Acme Corp", database_url=url)

    assert result.returncode == 0, result.stderr
    last_line = result.stdout.splitlines()[-1]
    assert KEY_LINE.fullmatch(last_line), result.stdout
    assert organization_name(url, last_line) == "Acme Corp"


def test_revoke_api_key_revokes_that_key_only(url: str) -> None:
    asyncio.run(migrate.upgrade(url))
    old_key = create_organization_key(url)
    new_key = issue_second_key(url, old_key)

    result = run_cli("revoke-api-key", key_id(old_key), database_url=url)

    assert result.returncode == 0, result.stderr
    assert organization_name(url, old_key) is None
    assert organization_name(url, new_key) == "Acme Corp"


def test_revoking_an_unknown_key_fails_on_stderr(
    in_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate"]) == 0
    capsys.readouterr()

    assert cli.main(["revoke-api-key", str(uuid.uuid4())]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ")


def test_the_last_live_key_cannot_be_revoked(
    in_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["create-organization", "Lonely Key Inc"]) == 0
    key = capsys.readouterr().out.splitlines()[-1]

    assert cli.main(["revoke-api-key", key_id(key)]) == 1

    assert capsys.readouterr().err.startswith("error: ")
    assert organization_name(in_process, key) == "Lonely Key Inc"


def test_an_empty_organization_name_is_refused(
    in_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["create-organization", "  "]) == 1

    out, err = capsys.readouterr()
    assert not KEY_LINE.search(out)
    assert err.startswith("error: ")


def test_serve_takes_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["serve", "--help"])

    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert "--host" in usage
    assert "--port" in usage


def test_create_api_key_issues_another_key_for_an_organization(
    in_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["create-organization", "Two Keys Ltd"]) == 0
    first = capsys.readouterr().out.splitlines()[-1]
    organization_id = asyncio.run(_organization_id(in_process, first))

    assert cli.main(["create-api-key", organization_id]) == 0

    second = capsys.readouterr().out.splitlines()[-1]
    assert KEY_LINE.fullmatch(second)
    assert second != first
    assert organization_name(in_process, second) == "Two Keys Ltd"
    assert cli.main(["create-api-key", str(uuid.uuid4())]) == 1
    assert capsys.readouterr().err.startswith("error: ")


async def _organization_id(url: str, key: str) -> str:
    db = Database(url)
    try:
        organization = await authenticate(db, key)
        assert organization is not None
        return organization.id
    finally:
        await db.dispose()


def test_revoke_api_key_takes_the_hex_id_embedded_in_the_key(
    in_process: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["create-organization", "Hex Ids Ltd"]) == 0
    first = capsys.readouterr().out.splitlines()[-1]
    second = issue_second_key(in_process, first)

    assert cli.main(["revoke-api-key", first.split("_")[1]]) == 0

    assert organization_name(in_process, first) is None
    assert organization_name(in_process, second) == "Hex Ids Ltd"
