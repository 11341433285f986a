"""`oneoff`: the console script as a user types it, and its failures in-process."""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import cli
from graph.schema import schema
from models.organizations.api_keys import authenticate, create_api_key
from models.store import migrate
from models.store.db import Database
from models.store.settings import get_settings
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


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def printed_key(stdout: str) -> tuple[str, str]:
    """(the key's id, the key) from create-organization or create-api-key."""
    *_, id_line, key = stdout.splitlines()
    assert KEY_LINE.fullmatch(key), stdout
    printed_id = re.search(UUID, id_line)  # the first id on the line: an organization's follows
    assert printed_id is not None, stdout
    assert printed_id.group() == key_id(key), id_line
    return printed_id.group(), key


def listed(result: subprocess.CompletedProcess[str]) -> list[list[str]]:
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_an_operator_finds_and_revokes_a_key_from_the_command_line(database_url: str) -> None:
    def oneoff(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, database_url=database_url)

    created = oneoff("create-organization", "Listed Corp")
    assert created.returncode == 0, created.stderr
    first_id, _ = printed_key(created.stdout)

    [[organization_id, name, created_at, live]] = listed(oneoff("list-organizations"))
    assert (name, live) == ("Listed Corp", "1")
    assert TIMESTAMP.fullmatch(created_at)
    assert organization_id in created.stdout.splitlines()[0]

    issued = oneoff("create-api-key", organization_id)
    assert issued.returncode == 0, issued.stderr
    second_id, _ = printed_key(issued.stdout)

    keys = listed(oneoff("list-api-keys", organization_id))
    assert [(key[0], key[2]) for key in keys] == [(first_id, "live"), (second_id, "live")]
    assert all(TIMESTAMP.fullmatch(key[1]) for key in keys)
    assert listed(oneoff("list-organizations"))[0][3] == "2"

    revoked = oneoff("revoke-api-key", first_id)
    assert revoked.returncode == 0, revoked.stderr

    [first, second] = listed(oneoff("list-api-keys", organization_id))
    assert first[0] == first_id
    assert TIMESTAMP.fullmatch(first[2]), first
    assert second[0] == second_id
    assert second[2] == "live"
    assert listed(oneoff("list-organizations"))[0][3] == "1"


def test_listing_the_keys_of_an_unknown_organization_fails_in_one_line(database_url: str) -> None:
    unknown = str(uuid.uuid4())

    result = run_cli("list-api-keys", unknown, database_url=database_url)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"error: no organization with id {unknown}\n"


def test_list_organizations_prints_nothing_for_an_empty_database(database_url: str) -> None:
    assert listed(run_cli("list-organizations", database_url=database_url)) == []
