"""What every floor shares: argument parsing, the uvicorn run, /health, and the engines.

The engines mirror models/store/db.py (the same drivers, WAL, BEGIN IMMEDIATE for writes,
synchronous left at FULL, writers queued on an asyncio lock), so that a floor differs from the
project only in the work the project adds on top.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from bench.counting_server import instrument

_DRIVERS = {"postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg"}


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def health_route() -> BaseRoute:
    return Route("/health", health)


def serve(app: ASGIApp) -> None:
    """The same uvicorn settings as `oneoff serve` (graph/cli.py), access log included, and
    the same statement counting as the project's server (bench/counting_server.py)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(
        instrument(app), host=args.host, port=args.port, log_level="info", ws="websockets-sansio"
    )


def database_url() -> str:
    url = os.environ["DATABASE_URL"]
    scheme, _, rest = url.partition("://")
    return f"{_DRIVERS.get(scheme, scheme)}://{rest}"


class Writer:
    """One engine and, on SQLite, the in-process queue writers wait in before BEGIN IMMEDIATE."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        self.engine = _sqlite_engine(url) if self.sqlite else _pg_engine(url)
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        if self.sqlite:
            async with self._lock, self.engine.begin() as connection:
                yield connection
        else:
            async with self.engine.begin() as connection:
                yield connection


def _pg_engine(url: str) -> AsyncEngine:
    return create_async_engine(url, pool_size=10, max_overflow=10)


def _sqlite_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
