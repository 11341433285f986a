"""`oneoff`'s common mistakes, through the real console script: one line on stderr that says
what is wrong and what to do, a non-zero exit, no traceback, and no password quoted."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from graph.cli_errors import explain
from models.store.db import normalize_database_url
from models.store.migrate import DatabaseNotMigrated
from models.store.settings import Settings
from tests.databases import PG_SKIP_REASON, postgres_admin_url
from tests.server import free_port, run_cli, running_server, sqlite_url

PASSWORD = "s3cret-never-printed"
needs_postgres = pytest.mark.skipif(postgres_admin_url() is None, reason=PG_SKIP_REASON)
# The commands that only read or change an existing database, and those that migrate first.
ON_EXISTING = (
    ("create-api-key", str(uuid.uuid4())),
    ("revoke-api-key", str(uuid.uuid4())),
    ("list-organizations",),
    ("list-api-keys", str(uuid.uuid4())),
)
MIGRATING_FIRST = (("migrate",), ("create-organization", "Acme Corp"), ("serve", "--port", "0"))


def one_error_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The single stderr line of a failed command, checked to name each fragment."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    for fragment in fragments:
        assert fragment in line, line
    assert PASSWORD not in line
    return line


def postgres_url(
    *,
    scheme: str = "postgresql+asyncpg",
    database: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> str:
    """The suite's PostgreSQL URL with some parts replaced, rendered with its password."""
    admin = postgres_admin_url()
    assert admin is not None
    url = make_url(admin)
    if database is not None:
        url = url.set(database=database)
    if username is not None:
        url = url.set(username=username)
    if password is not None:
        url = url.set(password=password)
    rendered = url.render_as_string(hide_password=False)
    return f"{scheme}://{rendered.partition('://')[2]}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(postgres_url(scheme="postgresql"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def empty_postgres_database() -> Iterator[str]:
    """The name of a new PostgreSQL database without any table; dropped after the test."""
    name = f"oneoff_cli_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.parametrize("command", ON_EXISTING, ids=lambda command: command[0])
def test_a_command_run_from_another_folder_creates_no_database(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run_cli(*command, database_url="", env_overrides={"DATABASE_URL": None}, cwd=tmp_path)

    expected = tmp_path.resolve() / "var" / "oneoff.sqlite3"
    one_error_line(result, f"no database at {expected}:", "make run", "DATABASE_URL")
    assert not (tmp_path / "var").exists()


def test_a_sqlite_file_never_migrated_says_to_run_migrate(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()

    result = run_cli("list-organizations", database_url=sqlite_url(path))

    one_error_line(result, str(path.resolve()), "never migrated", "oneoff migrate")


@needs_postgres
def test_a_postgres_database_never_migrated_says_to_run_migrate(
    empty_postgres_database: str,
) -> None:
    url = postgres_url(database=empty_postgres_database, password=PASSWORD)

    result = run_cli("create-api-key", str(uuid.uuid4()), database_url=url)

    one_error_line(result, f'"{empty_postgres_database}"', "never migrated", "oneoff migrate")


def test_a_database_migrated_by_a_newer_oneoff_says_so(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    connection.close()

    result = run_cli("list-organizations", database_url=sqlite_url(path))

    one_error_line(result, "newer oneoff", "9999_from_the_future")


def test_a_database_behind_the_newest_migration_says_to_run_migrate() -> None:
    behind = DatabaseNotMigrated("x.sqlite3", {"0001"}, {"0002"}, known=True)

    line = explain(behind, sqlite_url(Path("x.sqlite3")))

    assert line is not None
    assert "not up to date" in line
    assert "oneoff migrate" in line


@pytest.mark.parametrize(
    "command", [("migrate",), ("serve", "--port", "0"), ("list-organizations",)]
)
def test_an_unsupported_scheme_names_the_supported_ones(command: tuple[str, ...]) -> None:
    result = run_cli(*command, database_url=f"mysql://root:{PASSWORD}@127.0.0.1:3306/oneoff")

    one_error_line(result, "mysql:// is not supported", "postgresql://", "sqlite:///")


@pytest.mark.parametrize(
    "command", [*MIGRATING_FIRST, ON_EXISTING[3]], ids=lambda command: command[0]
)
def test_an_unreachable_server_is_named_by_host_and_port(command: tuple[str, ...]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/oneoff"

    result = run_cli(*command, database_url=url)

    one_error_line(result, f"cannot reach PostgreSQL at 127.0.0.1:{port}", "connection refused")


def test_an_unknown_host_is_named() -> None:
    url = f"postgres://postgres:{PASSWORD}@no-such-host.invalid:5432/oneoff"

    result = run_cli("migrate", database_url=url)

    one_error_line(result, "no-such-host.invalid:5432", "unknown host")


def test_a_query_parameter_asyncpg_does_not_take_is_named() -> None:
    url = f"postgres://postgres:{PASSWORD}@127.0.0.1:{free_port()}/oneoff?sslmode=require"

    result = run_cli("migrate", database_url=url)

    one_error_line(result, "sslmode", "ssl=require")


@needs_postgres
@pytest.mark.parametrize(
    "command", [("migrate",), ("serve", "--port", "0"), ON_EXISTING[2]], ids=lambda c: c[0]
)
def test_a_misspelled_database_name_says_to_create_it(command: tuple[str, ...]) -> None:
    url = postgres_url(database="oneoff_tset_no_such_database", password=PASSWORD)

    result = run_cli(*command, database_url=url)

    address = f"{make_url(url).host}:{make_url(url).port or 5432}"
    one_error_line(
        result,
        f'database "oneoff_tset_no_such_database" does not exist on {address}',
        "createdb",
    )


@needs_postgres
def test_a_role_that_does_not_exist_is_named() -> None:
    url = postgres_url(username="oneoff_no_such_role", password=PASSWORD)

    result = run_cli("migrate", database_url=url)

    one_error_line(result, 'role "oneoff_no_such_role" does not exist', "DATABASE_URL")


def test_a_wrong_password_says_to_fix_it() -> None:
    # The suite's server may trust every local connection, so the error is made here.
    url = f"postgresql+asyncpg://postgres:{PASSWORD}@db.example:5433/oneoff"
    try:
        try:
            raise asyncpg.InvalidPasswordError('password authentication failed for user "x"')
        except asyncpg.PostgresError as driver_error:
            raise RuntimeError("wrapped, as SQLAlchemy wraps it") from driver_error
    except RuntimeError as error:
        line = explain(error, url)

    assert line == (
        'PostgreSQL on db.example:5433 refused the password of user "postgres": '
        "fix the password in DATABASE_URL"
    )


def test_unknown_failures_are_left_alone() -> None:
    assert explain(KeyError("bug"), sqlite_url(Path("x.sqlite3"))) is None


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        (
            "postgresql://u:p@h:5433/db?ssl=require",
            "postgresql+asyncpg://u:p@h:5433/db?ssl=require",
        ),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///var/x.sqlite3", "sqlite+aiosqlite:///var/x.sqlite3"),
        ("sqlite+aiosqlite:////abs/x.sqlite3", "sqlite+aiosqlite:////abs/x.sqlite3"),
    ],
)
def test_settings_run_every_postgres_and_sqlite_url_on_the_shipped_drivers(
    given: str, normalized: str
) -> None:
    assert Settings(DATABASE_URL=given).database_url == normalized
    assert normalize_database_url(given) == normalized


@pytest.mark.parametrize("given", ["mysql://u:p@h/db", "postgresql+psycopg://u@h/db", "var/x"])
def test_settings_refuse_other_urls_without_quoting_them(given: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(DATABASE_URL=given)

    line = explain(refused.value, None)
    assert line is not None
    assert "postgresql://" in line
    assert "u:p" not in line


@needs_postgres
@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_urls_without_a_driver_just_work(
    empty_postgres_database: str, scheme: str, tmp_path: Path
) -> None:
    # A query string rides along to asyncpg untouched.
    url = postgres_url(scheme=scheme, database=empty_postgres_database) + "?command_timeout=60"

    migrated = run_cli("migrate", database_url=url)
    created = run_cli("create-organization", "Plain URL Inc", database_url=url)
    listed = run_cli("list-organizations", database_url=url)

    assert migrated.returncode == 0, migrated.stderr
    assert created.returncode == 0, created.stderr
    assert created.stdout.splitlines()[-1].startswith("oo_")
    assert "\tPlain URL Inc\t" in listed.stdout, listed.stderr
    with running_server(url, log_dir=tmp_path) as server, server.client() as http:
        assert http.get("/health").status_code == 200


@pytest.mark.parametrize(
    "args",
    [
        ("create-organization", "Acme \udcff"),  # the byte 0xFF, as the shell passes it
        ("list-api-keys", "x\udced\udca0\udc80"),  # an encoded surrogate
        ("revoke-api-key", "\udcff"),
    ],
)
def test_an_argument_that_is_not_utf8_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = run_cli(*args, database_url=sqlite_url(tmp_path / "x.sqlite3"))

    one_error_line(result, "UTF-8")


def test_create_organization_says_which_database_it_wrote_to(tmp_path: Path) -> None:
    database = tmp_path / "var" / "oneoff.sqlite3"
    result = run_cli("create-organization", "Where Inc", database_url=sqlite_url(database))

    assert result.returncode == 0, result.stderr
    assert f"created in {database}" in result.stdout.splitlines()[0]
