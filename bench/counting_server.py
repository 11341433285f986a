"""`oneoff serve`, unchanged, plus a count of the SQL statements it executes.

    python -m bench.counting_server --host H --port P      (DATABASE_URL as for oneoff)

A class-level `before_cursor_execute` listener counts every statement of every engine the
process makes (an executemany counts once; BEGIN is counted, COMMIT is a DBAPI call and is
not). `GET /__bench/statements` answers {"statements": all of them, "requests": HTTP
requests to /graphql so far, "request_statements": the statements those requests ran
themselves, "lock_holds" and "lock_seconds": how often and how long an organization's invoice
counter was held}, request statements told apart by a context variable, which SQLAlchemy's
greenlets and the tasks a request starts (DataLoaders) inherit; background readers and
pollers do not. A hold is timed from the counter's UPDATE, once its answer is read, to the
connection's return to the pool after the commit; and, as "lock_seconds_to_commit", to the
moment the COMMIT is sent, less than the database holds the row. It is
served by an ASGI wrapper mounted
beside the project's app: graph.cli.main builds and runs the app exactly as a user's
`oneoff serve` does, and only the app it hands to uvicorn.run is wrapped.
"""

from __future__ import annotations

import json
import sys
import time
from contextvars import ContextVar
from typing import Any

import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
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
_HELD = "bench_counter_held_since"
_request: ContextVar[list[int] | None] = ContextVar("bench_request", default=None)


def _counted(*_args: Any) -> None:
    _totals["statements"] += 1
    box = _request.get()
    if box is not None:
        box[0] += 1


def _taken(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.startswith(COUNTER):
        connection.info[_HELD] = time.perf_counter()


def _committing(connection: Connection) -> None:
    since = connection.info.get(_HELD)
    if since is not None:
        _totals["lock_seconds_to_commit"] += time.perf_counter() - since


def _returned(_dbapi_connection: Any, record: Any) -> None:
    since = record.info.pop(_HELD, None)
    if since is not None:
        _totals["lock_holds"] += 1
        _totals["lock_seconds"] += time.perf_counter() - since


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


def main() -> int:
    event.listen(Engine, "before_cursor_execute", _counted)
    event.listen(Engine, "after_cursor_execute", _taken)
    event.listen(Engine, "commit", _committing)
    event.listen(Pool, "checkin", _returned)
    real_run = uvicorn.run

    def run(app: ASGIApp, *args: Any, **kwargs: Any) -> None:
        real_run(with_statements(app), *args, **kwargs)

    # graph/cli.py looks uvicorn.run up when it serves, so the patch reaches it.
    uvicorn.run = run  # type: ignore[assignment]
    from graph.cli import main as oneoff

    return oneoff(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
