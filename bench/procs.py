"""Servers in their own processes: the project (through bench/counting_server.py) and floors.

Also what the bench reads from them: CPU seconds from /proc/<pid>/stat and the project's
statement count.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from tests.server import REPO_ROOT, Server, ServerFailedToStart, free_port, server_env, tail

PROJECT_ENV = {
    "ONEOFF_WEBHOOK_SENDER": "false",
    "ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION": "5000",
}
_TICKS = os.sysconf("SC_CLK_TCK")


def start_project(database_url: str, log_dir: Path, attempts: int = 3) -> Server:
    """The project server; retried, since other people's edits may be half-way when it starts."""
    for attempt in range(attempts):
        try:
            return _start("bench.counting_server", database_url, log_dir, PROJECT_ENV)
        except ServerFailedToStart as error:
            if attempt == attempts - 1:
                raise
            print(f"project server failed to start, retrying in 10 s:\n{error}", file=sys.stderr)
            time.sleep(10)
    raise AssertionError("unreachable")


def start_floor(name: str, database_url: str, log_dir: Path) -> Server:
    return _start(f"bench.floors.{name}", database_url, log_dir, {})


def _start(module: str, database_url: str, log_dir: Path, env: Mapping[str, str]) -> Server:
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_dir / f"{module.rsplit('.', 1)[-1]}-{port}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port)],
        env=server_env(database_url, env),
        cwd=log_dir,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = Server(process, "127.0.0.1", port, log_path, database_url, log_file)
    try:
        _wait_healthy(server, 60.0)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with server.client(timeout=2.0) as client:
        while server.process.poll() is None and time.monotonic() < deadline:
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise ServerFailedToStart(f"{server.log_path.name} did not come up:\n{tail(server.log_path)}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (its threads included)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent on anything but idling, so far: servers,
    databases and load clients alike."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in first[1:9])
    return (user + nice + system + irq + softirq + steal) / _TICKS


def statements(server: Server) -> dict[str, float] | None:
    """A server's statement counts (bench/counting_server.py, which floors run under too);
    None from a server that does not count."""
    with server.client(timeout=5.0) as client:
        response = client.get("/__bench/statements")
    if response.status_code != 200:
        return None
    counts: dict[str, float] = response.json()
    return counts


__all__ = ["REPO_ROOT", "Server", "cpu_seconds", "start_floor", "start_project", "statements"]
