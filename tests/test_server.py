"""The real thing: `oneoff serve` in a subprocess, spoken to over HTTP and WebSocket."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.server import (
    Server,
    ServerFailedToStart,
    StartServer,
    create_organization_key,
    running_server,
    server_factory,  # noqa: F401
    sqlite_url,
    start_server,
)

MAX_REQUEST_BYTES = 4000
ORGANIZATION = "{ organization { id name } }"
GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")


@dataclass
class Live:
    server: Server
    database: Path
    key: str
    http: httpx.Client

    def post(self, body: dict[str, Any], key: str | None = None, **headers: str) -> httpx.Response:
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return self.http.post("/graphql", json=body, headers=headers)

    def post_raw(self, content: bytes | Iterator[bytes]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        return self.http.post("/graphql", content=content, headers=headers)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """One server for the module, started on a database file that does not exist yet."""
    directory = tmp_path_factory.mktemp("live")
    database = directory / "oneoff.sqlite3"
    with running_server(
        sqlite_url(database),
        log_dir=directory,
        env_overrides={"ONEOFF_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES)},
    ) as server:
        # No migration here: the tables this needs are the ones `serve` made on start.
        key = create_organization_key(server.database_url, "Acme Corp")
        with server.client() as http:
            yield Live(server, database, key, http)


def test_health_answers_ok(live: Live) -> None:
    response = live.http.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_serve_migrates_the_database_of_database_url_and_answers_queries(live: Live) -> None:
    response = live.post({"query": ORGANIZATION}, key=live.key)

    assert live.database.exists()
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    assert body["data"]["organization"]["name"] == "Acme Corp"


def test_every_response_carries_a_request_id_and_echoes_the_callers(live: Live) -> None:
    generated = live.post({"query": ORGANIZATION}, key=live.key)
    echoed = live.post({"query": ORGANIZATION}, key=live.key, **{"X-Request-Id": "req-42"})

    assert generated.headers["x-request-id"]
    assert echoed.headers["x-request-id"] == "req-42"


def test_a_query_without_key_is_unauthenticated_and_returns_no_data(live: Live) -> None:
    body = live.post({"query": ORGANIZATION}).json()

    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


def test_get_graphql_serves_the_graphiql_page(live: Live) -> None:
    response = live.http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


def test_a_body_at_the_limit_is_served(live: Live) -> None:
    body = json.dumps({"query": ORGANIZATION}).encode()
    padded = body[:-1] + b" " * (MAX_REQUEST_BYTES - len(body)) + b"}"
    assert len(padded) == MAX_REQUEST_BYTES

    response = live.post_raw(padded)

    assert response.status_code == 200
    assert response.json()["data"]["organization"]["name"] == "Acme Corp"


def test_a_declared_body_over_the_limit_gets_413(live: Live) -> None:
    body = json.dumps({"query": ORGANIZATION}).encode()
    padded = body[:-1] + b" " * (MAX_REQUEST_BYTES + 1 - len(body)) + b"}"

    response = live.post_raw(padded)

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_streamed_body_over_the_limit_gets_413(live: Live) -> None:
    def chunks() -> Iterator[bytes]:  # a generator: no Content-Length, sent chunked
        yield b'{"query": "{ organization { id } }'
        for _ in range(MAX_REQUEST_BYTES // 100 + 1):
            yield b" " * 100
        yield b'"}'

    response = live.post_raw(chunks())

    assert response.status_code == 413


@contextmanager
def _renamed_table(database: Path, old: str, new: str) -> Iterator[None]:
    def rename(source: str, target: str) -> None:
        with closing(sqlite3.connect(database, timeout=30)) as connection:
            connection.execute(f'ALTER TABLE "{source}" RENAME TO "{target}"')

    rename(old, new)
    try:
        yield
    finally:
        rename(new, old)


def test_an_unexpected_error_is_masked_for_the_client_and_logged_with_its_request_id(
    live: Live,
) -> None:
    # Hide a table from under the running server: its next query of it fails unexpectedly.
    with _renamed_table(live.database, "taxes", "taxes_hidden_by_test"):
        response = live.post(
            {"query": "{ organization { id defaultTaxes { code } } }"},
            key=live.key,
            **{"X-Request-Id": "masking-check-1"},
        )

    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "masking-check-1"}
    assert "taxes" not in error["message"]
    assert "sqlite" not in response.text.lower()
    log = live.server.log()
    assert "masking-check-1" in log
    assert "no such table: taxes" in log


def _connection_init(server: Server, payload: dict[str, Any] | None) -> dict[str, Any]:
    with connect(server.ws_url, subprotocols=[GRAPHQL_TRANSPORT_WS], proxy=None) as socket:
        message: dict[str, Any] = {"type": "connection_init"}
        if payload is not None:
            message["payload"] = payload
        socket.send(json.dumps(message))
        reply: dict[str, Any] = json.loads(socket.recv(timeout=10))
        return reply


def test_a_websocket_with_a_valid_key_is_acknowledged(live: Live) -> None:
    reply = _connection_init(live.server, {"Authorization": f"Bearer {live.key}"})

    assert reply["type"] == "connection_ack"


@pytest.mark.parametrize(
    "payload",
    [None, {}, {"Authorization": "Bearer oo_wrong"}, {"Authorization": "{key}"}],
    ids=["no payload", "no key", "wrong key", "no scheme"],
)
def test_a_websocket_without_a_valid_key_is_closed_with_4403(
    live: Live, payload: dict[str, str] | None
) -> None:
    if payload is not None:
        payload = {name: value.format(key=live.key) for name, value in payload.items()}

    with pytest.raises(ConnectionClosed) as closed:
        _connection_init(live.server, payload)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_a_server_restarted_on_the_same_database_keeps_its_data(
    server_factory: StartServer,  # noqa: F811
) -> None:
    first = server_factory()
    key = create_organization_key(first.database_url, "Restarted Ltd")
    first.stop()
    assert "Application shutdown complete" in first.log()

    second = server_factory(first.database_url)
    with second.client() as http:
        response = http.post(
            "/graphql", json={"query": ORGANIZATION}, headers={"Authorization": f"Bearer {key}"}
        )

    assert response.json()["data"]["organization"]["name"] == "Restarted Ltd"


def test_a_server_that_cannot_start_reports_its_log(tmp_path: Path) -> None:
    with pytest.raises(ServerFailedToStart) as failure:
        start_server("nosuchdialect://nowhere", log_dir=tmp_path)

    assert "exited with" in str(failure.value)
    assert "nosuchdialect" in str(failure.value)
