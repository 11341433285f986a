"""A real `oneoff serve` in a subprocess, for tests that speak HTTP or WebSocket to it.

    with running_server(sqlite_url(tmp_path / "db.sqlite3"), log_dir=tmp_path) as server:
        key = create_organization_key(server.database_url)
        with server.client() as http:
            http.post("/graphql", json=…, headers={"Authorization": f"Bearer {key}"})

The server migrates its database on start, as a user's would. Its stdout and stderr go to
a log file; when it fails to come up, the error shows the log's tail. `stop()` sends SIGTERM,
then kills after a grace period. The fixture `server_factory` starts any number of servers
(restarts on one database included) and stops them all at the end of the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

import httpx
import pytest

from models.organizations.api_keys import authenticate
from models.organizations.organizations import create_organization
from models.store.db import Database

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LOG_TAIL_LINES = 60

T = TypeVar("T")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def oneoff_command() -> list[str]:
    """The `oneoff` console script of this interpreter's environment, as a user runs it."""
    script = Path(sys.executable).with_name("oneoff")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "graph.cli"]


def server_env(
    database_url: str, overrides: Mapping[str, str | None] | None = None
) -> dict[str, str]:
    """This process's environment with DATABASE_URL set; an override of None removes a variable."""
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_cli(
    *args: str,
    database_url: str,
    env_overrides: Mapping[str, str | None] | None = None,
    cwd: Path | None = None,
    timeout: float = 60.0,
) -> subprocess.CompletedProcess[str]:
    """Run `oneoff ARGS…` against a database; the result carries stdout, stderr and returncode."""
    return subprocess.run(
        [*oneoff_command(), *args],
        env=server_env(database_url, env_overrides),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class ServerFailedToStart(RuntimeError):
    pass


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    log_path: Path
    database_url: str
    _log_file: IO[bytes] | None = field(repr=False, default=None)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/graphql"

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def client(self, timeout: float = 10.0) -> httpx.Client:
        """An HTTP client on base_url that ignores proxy variables of the environment."""
        return httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False)

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr, interleaved)."""
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return tail(self.log_path, lines)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (uvicorn shuts down gracefully), SIGKILL past `timeout`; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_server(
    database_url: str,
    *,
    log_dir: Path,
    env_overrides: Mapping[str, str | None] | None = None,
    extra_args: Sequence[str] = (),
    host: str = "127.0.0.1",
    startup_timeout: float = STARTUP_TIMEOUT,
    port: int | None = None,
) -> Server:
    """Start `oneoff serve --host H --port P` on a free port and wait until /health answers.

    `log_dir` is also the working directory, so that nothing lands in the repository. A port
    taken between choosing it and binding it is retried on another one. Given a `port` (a
    stopped server's, to restart where its clients reconnect), that one or none.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    for _attempt in range(1 if port else 3):
        port = port or free_port()
        log_path = _unused(log_dir / f"server-{port}.log")
        log_file = log_path.open("wb")
        process = subprocess.Popen(
            [*oneoff_command(), "serve", "--host", host, "--port", str(port), *extra_args],
            env=server_env(database_url, env_overrides),
            cwd=log_dir,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        server = Server(process, host, port, log_path, database_url, log_file)
        try:
            _wait_healthy(server, startup_timeout)
        except _PortTaken:
            server.stop()
            continue
        except BaseException:
            server.stop()
            raise
        return server
    raise ServerFailedToStart(f"no free port after 3 attempts; last log:\n{tail(log_path)}")


class _PortTaken(Exception):
    pass


def _unused(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with server.client(timeout=2.0) as client:
        while True:
            if server.process.poll() is not None:
                log = server.log_tail()
                if "address already in use" in log.lower():
                    raise _PortTaken
                raise ServerFailedToStart(
                    f"oneoff serve exited with {server.process.returncode} before answering "
                    f"/health; its log:\n{log}"
                )
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise ServerFailedToStart(
                    f"oneoff serve did not answer /health within {timeout:.0f}s; its log:\n"
                    f"{server.log_tail()}"
                )
            time.sleep(0.05)


@contextmanager
def running_server(
    database_url: str,
    *,
    log_dir: Path,
    env_overrides: Mapping[str, str | None] | None = None,
    extra_args: Sequence[str] = (),
) -> Iterator[Server]:
    server = start_server(
        database_url, log_dir=log_dir, env_overrides=env_overrides, extra_args=extra_args
    )
    try:
        yield server
    finally:
        server.stop()


def _run(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, or from inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:  # blocks the caller's loop: tests only
        return pool.submit(asyncio.run, make()).result()


def create_organization_key(database_url: str, name: str = "Acme Corp") -> str:
    """An organization made directly in a (migrated) database; its API key."""

    async def create() -> str:
        db = Database(database_url)
        try:
            _, key = await create_organization(db, name)
            return key.plain
        finally:
            await db.dispose()

    return _run(create)


def organization_name(database_url: str, key: str) -> str | None:
    """The name of the organization `key` reaches, None when it reaches none."""

    async def look_up() -> str | None:
        db = Database(database_url)
        try:
            organization = await authenticate(db, key)
            return organization.name if organization else None
        finally:
            await db.dispose()

    return _run(look_up)


class StartServer(Protocol):
    def __call__(
        self,
        database_url: str | None = None,
        env_overrides: Mapping[str, str | None] | None = None,
        extra_args: Sequence[str] = (),
    ) -> Server: ...


@pytest.fixture
def server_factory(tmp_path: Path, fresh_database: Callable[[], str]) -> Iterator[StartServer]:
    """`start(database_url=None, env_overrides=None, extra_args=())`: a running server.

    Without a database_url, each call gets a new migrated database of the engine under test
    (SQLite, or PostgreSQL in the suite's PostgreSQL half); pass one server's `database_url`
    to restart on the same data. Every server still running is stopped after the test.
    """
    started: list[Server] = []

    def start(
        database_url: str | None = None,
        env_overrides: Mapping[str, str | None] | None = None,
        extra_args: Sequence[str] = (),
    ) -> Server:
        url = database_url or fresh_database()
        server = start_server(
            url, log_dir=tmp_path / "servers", env_overrides=env_overrides, extra_args=extra_args
        )
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()
