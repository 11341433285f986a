"""Throwaway databases for tests, on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set.

Each engine gets one migrated template per run; each test gets a copy of it (a file copy on
SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL) and the copy is dropped after the test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from models.store import migrate

PG_ENV = "TEST_DATABASE_URL"
ENGINES = ("sqlite", "postgresql")
PG_SKIP_REASON = (
    f"PostgreSQL half skipped: set {PG_ENV}=postgresql+asyncpg://user@host:port/db to run it"
)


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    admin_url = postgres_admin_url()
    assert admin_url is not None
    connection = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run to completion even when called from inside an async test's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


class Provisioner:
    """Makes fresh migrated databases of one engine; remembers them to drop at the end."""

    def __init__(self, engine: str, workdir: Path) -> None:
        self.engine = engine
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        self.template = self._template()

    def _template(self) -> str:
        if self.engine == "sqlite":
            path = self.workdir / "template.sqlite3"
            _run(migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
            return str(path)
        name = f"oneoff_tpl_{self.run_id}"
        _run(_admin(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        _run(migrate.upgrade(self.url_of(name)))
        return name

    def url_of(self, database: str) -> str:
        admin_url = postgres_admin_url()
        assert admin_url is not None
        return make_url(admin_url).set(database=database).render_as_string(hide_password=False)

    def fresh(self, directory: Path) -> str:
        if self.engine == "sqlite":
            path = directory / f"oneoff-{uuid.uuid4().hex[:6]}.sqlite3"
            shutil.copyfile(self.template, path)
            return f"sqlite+aiosqlite:///{path}"
        name = f"oneoff_{self.run_id}_{len(self.created)}"
        _run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        if self.engine != "postgresql":
            return
        name = make_url(url).database
        _run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in reversed(self.created):
            _run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()


FreshDatabase = Callable[[], str]
