"""Applying the Alembic migrations that ship inside the package, and checking they were."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from models.store.db import describe, ensure_sqlite_directory, sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x0_0E_0F_F0  # any constant that no other application on the server uses
VERSION_TABLE = "alembic_version"


class DatabaseNotReady(Exception):
    """The database a command reads or changes is missing or not at the newest migration."""


class DatabaseMissing(DatabaseNotReady):
    def __init__(self, path: Path) -> None:
        super().__init__(f"no database at {path}")
        self.path = path


class DatabaseNotMigrated(DatabaseNotReady):
    """`revisions` is empty when it was never migrated; `known` is False when a newer oneoff
    migrated it."""

    def __init__(self, where: str, revisions: set[str], heads: set[str], *, known: bool) -> None:
        super().__init__(f"the database at {where} is at {sorted(revisions)}, not {sorted(heads)}")
        self.where = where
        self.revisions = revisions
        self.heads = heads
        self.known = known


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest revision."""
    ensure_sqlite_directory(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Several workers start at once; one migrates, the others wait and find
                # nothing left to do. The lock ends with the transaction.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            await connection.run_sync(_upgrade_sync, url)
    finally:
        await engine.dispose()


def _upgrade_sync(connection: object, url: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def check_ready(url: str) -> None:
    """Raise DatabaseNotReady unless the database exists and has every migration.

    Creates nothing: connecting to a missing SQLite file would create an empty one, which
    the next command then finds without tables, far from where the user made the mistake.
    """
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise DatabaseMissing(path)
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            revisions = await connection.run_sync(_revisions)
    finally:
        await engine.dispose()
    # Read directly rather than through Alembic's MigrationContext, which logs at INFO.
    scripts = ScriptDirectory.from_config(alembic_config(url))
    heads = set(scripts.get_heads())
    if revisions != heads:
        known = all(_is_known(scripts, revision) for revision in revisions)
        raise DatabaseNotMigrated(describe(url), revisions, heads, known=known)


def _revisions(connection: Connection) -> set[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    rows = connection.execute(text("SELECT version_num FROM alembic_version"))
    return {row[0] for row in rows}


def _is_known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False
