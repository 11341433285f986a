"""The CLI's known failures, each said in one line: what is wrong and what to do about it.

`explain` maps an exception (or one it was raised from) to that line; anything it does not
know stays a traceback, since that is a bug to report rather than a mistake to fix. No line
quotes DATABASE_URL itself: it may hold a password.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from models.store.db import UnsupportedDatabaseUrl, describe, is_sqlite, server_address, sqlite_file
from models.store.migrate import DatabaseMissing, DatabaseNotMigrated

UNREACHABLE_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT}
)
UNEXPECTED_KEYWORD = re.compile(r"unexpected keyword argument '(\w+)'")


def explain(error: BaseException, url: str | None) -> str | None:
    """The one line for a known failure of a command run against `url`; None for the rest."""
    for cause in _chain(error):
        for explainer in _EXPLAINERS:
            line = explainer(cause, url)
            if line is not None:
                return " ".join(line.split())  # one line, whatever a server message held
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """`error`, then what it wraps: SQLAlchemy keeps the driver's error in `orig`."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = (
            orig if isinstance(orig, BaseException) else (current.__cause__ or current.__context__)
        )


def _settings(error: BaseException, _url: str | None) -> str | None:
    if not isinstance(error, ValidationError):
        return None
    first = error.errors()[0]
    original = first.get("ctx", {}).get("error")
    if isinstance(original, UnsupportedDatabaseUrl):
        return str(original)
    setting = ".".join(str(part) for part in first["loc"])
    # Not first["input"]: the value may be a secret.
    return f"{setting} is invalid: {first['msg']}: fix it in the environment"


def _not_ready(error: BaseException, _url: str | None) -> str | None:
    if isinstance(error, DatabaseMissing):
        return (
            f"no database at {error.path}: run oneoff from the folder where you ran "
            "`make run` (or set DATABASE_URL)"
        )
    if not isinstance(error, DatabaseNotMigrated):
        return None
    if not error.revisions:
        return f"the database at {error.where} was never migrated: run `oneoff migrate` first"
    if not error.known:
        return (
            f"the database at {error.where} was migrated by a newer oneoff "
            f"(revision {', '.join(sorted(error.revisions))}): upgrade oneoff"
        )
    return (
        f"the database at {error.where} is not up to date (revision "
        f"{', '.join(sorted(error.revisions))}, newest {', '.join(sorted(error.heads))}): "
        "run `oneoff migrate`"
    )


def _postgres(error: BaseException, url: str | None) -> str | None:
    if url is None or not isinstance(error, asyncpg.PostgresError):
        return None
    parsed, address = make_url(url), server_address(url)
    state, message = error.sqlstate, str(error)
    if state == "3D000":  # invalid_catalog_name
        return (
            f'database "{parsed.database}" does not exist on {address}: create it '
            f"(createdb -h {parsed.host or 'localhost'} -p {parsed.port or 5432} "
            f"-U {parsed.username or 'postgres'} {parsed.database}) or fix DATABASE_URL"
        )
    if state == "28P01":  # invalid_password
        return (
            f'PostgreSQL on {address} refused the password of user "{parsed.username}": '
            "fix the password in DATABASE_URL"
        )
    if state == "28000":  # invalid_authorization_specification: no such role, pg_hba.conf
        advice = (
            "create the role (createuser) or fix the user in DATABASE_URL"
            if "does not exist" in message
            else "fix the user in DATABASE_URL or the server's pg_hba.conf"
        )
        return f"PostgreSQL on {address} refused the connection ({message}): {advice}"
    if state == "57P03":  # cannot_connect_now: starting up, shutting down, recovering
        return f"PostgreSQL on {address} is not accepting connections ({message}): try again"
    if state == "53300":  # too_many_connections
        return (
            f"PostgreSQL on {address} has no connection slots left ({message}): try again, "
            "or stop other clients"
        )
    return None


def _unreachable(error: BaseException, url: str | None) -> str | None:
    if url is None or is_sqlite(url):
        return None
    address = server_address(url)
    fix = "start the server, or fix the host and port in DATABASE_URL"
    if isinstance(error, socket.gaierror):
        host = make_url(url).host or "localhost"
        return f"cannot reach PostgreSQL at {address}: unknown host {host}: fix DATABASE_URL"
    if isinstance(error, TimeoutError):
        return f"cannot reach PostgreSQL at {address}: timed out: {fix}"
    # asyncpg raises a plain OSError listing every address it tried for a name with several.
    if isinstance(error, ConnectionError) or (
        isinstance(error, OSError)
        and (error.errno in UNREACHABLE_ERRNOS or str(error).startswith("Multiple exceptions"))
    ):
        # asyncio's strerror repeats the address; the errno's own text says what happened.
        reason = os.strerror(error.errno).lower() if error.errno else "connection failed"
        return f"cannot reach PostgreSQL at {address} ({reason}): {fix}"
    return None


def _query_parameter(error: BaseException, url: str | None) -> str | None:
    # SQLAlchemy hands the URL's query parameters to asyncpg.connect() as keywords.
    if url is None or is_sqlite(url) or not isinstance(error, TypeError):
        return None
    match = UNEXPECTED_KEYWORD.search(str(error))
    if match is None or match.group(1) not in make_url(url).query:
        return None
    name = match.group(1)
    hint = " (asyncpg's name for sslmode is ssl, e.g. ?ssl=require)" if name == "sslmode" else ""
    return f"DATABASE_URL has query parameter {name}, which asyncpg does not take{hint}"


def _sqlite(error: BaseException, url: str | None) -> str | None:
    if url is None or not is_sqlite(url):
        return None
    where = sqlite_file(url) or describe(url)
    if isinstance(error, OSError) and error.filename and isinstance(where, Path):
        folder = Path(error.filename).absolute()
        if folder in where.parents:
            reason = (error.strerror or "failed").lower()
            return f"cannot create the folder {folder} for {where} ({reason}): fix DATABASE_URL"
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    if "unable to open database file" in str(error):
        return (
            f"cannot open the SQLite database at {where}: check that its folder exists and "
            "is writable, or fix DATABASE_URL"
        )
    if "file is not a database" in str(error):
        return f"{where} is not a SQLite database: fix DATABASE_URL"
    return None


_EXPLAINERS: tuple[Callable[[BaseException, str | None], str | None], ...] = (
    _settings,
    _not_ready,
    _postgres,
    _unreachable,
    _query_parameter,
    _sqlite,
)
