"""`oneoff serve`, unchanged, plus a count of the SQL statements it executes.

    python -m bench.counting_server --host H --port P      (DATABASE_URL as for oneoff)

Every statement of every engine the process makes is counted in the dialect's own execute
calls, wrapped on SQLAlchemy's DefaultDialect (an executemany counts once; BEGIN is counted
where it is a statement, as on SQLite; COMMIT is a DBAPI call and is not).
`GET /__bench/statements` answers {"statements": all of them, "requests": HTTP
requests to /graphql so far, "request_statements": the statements those requests ran
themselves, "lock_holds" and "lock_seconds": how often and how long an organization's invoice
counter was held}, request statements told apart by a context variable, which SQLAlchemy's
greenlets and the tasks a request starts (DataLoaders) inherit; background readers and
pollers do not. A hold is timed from the counter's UPDATE, once its answer is read, to the
connection's return to the pool after the commit; and, as "lock_seconds_to_commit", to the
moment the COMMIT is sent, less than the database holds the row. It is served by an ASGI
wrapper mounted beside the project's app: graph.cli.main builds and runs the app exactly as a user's
`oneoff serve` does, and only the app it hands to uvicorn.run is wrapped.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.pool import Pool
from starlette.types import ASGIApp, Receive, Scope, Send

ROUTE = "/__bench/statements"
_totals: dict[str, float] = {
    "statements": 0,
    "requests": 0,
    "request_statements": 0,
    "lock_holds": 0,
    "lock_seconds": 0.0,
    "lock_seconds_to_commit": 0.0,
}
# The statement that takes an organization's invoice number (models/store/counters.py).
COUNTER = "UPDATE organizations SET invoice_seq"
_request: ContextVar[list[int] | None] = ContextVar("bench_request", default=None)


# By id of the DBAPI connection: when its organization's invoice counter was taken.
_held_since: dict[int, float] = {}


def _counted() -> None:
    _totals["statements"] += 1
    box = _request.get()
    if box is not None:
        box[0] += 1


def _taken(context: Any, statement: str) -> None:
    if context is not None and statement.startswith(COUNTER):
        _held_since[id(context.root_connection.connection.dbapi_connection)] = time.perf_counter()


def _committed(connection: Any) -> None:
    # SQLAlchemy commits through the pool's proxy of the connection; its key is the DBAPI one.
    since = _held_since.get(id(getattr(connection, "dbapi_connection", connection)))
    if since is not None:
        _totals["lock_seconds_to_commit"] += time.perf_counter() - since


def _returned(dbapi_connection: Any, _record: Any) -> None:
    since = _held_since.pop(id(dbapi_connection), None)
    if since is not None:
        _totals["lock_holds"] += 1
        _totals["lock_seconds"] += time.perf_counter() - since


def _count_in_the_dialect() -> None:
    # In the dialect's own calls, not through engine events: one engine listener sends every
    # statement down SQLAlchemy's event path, and served side by side on PostgreSQL a server
    # counted that way used 3.03 ms of CPU per invoice where an uncounted one used 2.86.
    dialect = DefaultDialect
    execute: Callable[..., None] = dialect.do_execute
    many: Callable[..., None] = dialect.do_executemany
    bare: Callable[..., None] = dialect.do_execute_no_params
    commit: Callable[..., None] = dialect.do_commit

    def do_execute(
        self: Any, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        _counted()
        execute(self, cursor, statement, parameters, context)
        _taken(context, statement)

    def do_executemany(
        self: Any, cursor: Any, statement: str, parameters: Any, context: Any = None
    ) -> None:
        _counted()
        many(self, cursor, statement, parameters, context)

    def do_execute_no_params(self: Any, cursor: Any, statement: str, context: Any = None) -> None:
        _counted()
        bare(self, cursor, statement, context)
        _taken(context, statement)

    def do_commit(self: Any, dbapi_connection: Any) -> None:
        _committed(dbapi_connection)
        commit(self, dbapi_connection)

    dialect.do_execute = do_execute  # type: ignore[method-assign]
    dialect.do_executemany = do_executemany  # type: ignore[method-assign]
    dialect.do_execute_no_params = do_execute_no_params  # type: ignore[method-assign]
    dialect.do_commit = do_commit  # type: ignore[method-assign]
    event.listen(Pool, "checkin", _returned)


def with_statements(app: ASGIApp) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in (ROUTE, "/graphql"):
            await app(scope, receive, send)
        elif scope["path"] == ROUTE:
            body = json.dumps(_totals).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        else:
            box = [0]
            token = _request.set(box)
            try:
                await app(scope, receive, send)
            finally:
                _request.reset(token)
                _totals["requests"] += 1
                _totals["request_statements"] += box[0]

    return wrapped


def instrument(app: ASGIApp) -> ASGIApp:
    """`app` counted as above. Every server the bench measures runs under it, floors too
    (bench/floors/common.py), so that what the counting costs is paid on both sides."""
    if not event.contains(Pool, "checkin", _returned):
        _count_in_the_dialect()
    return with_statements(app)


def main() -> int:
    real_run = uvicorn.run

    def run(app: ASGIApp, *args: Any, **kwargs: Any) -> None:
        real_run(instrument(app), *args, **kwargs)

    # graph/cli.py looks uvicorn.run up when it serves, so the patch reaches it.
    uvicorn.run = run  # type: ignore[assignment]
    from graph.cli import main as oneoff

    return oneoff(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
