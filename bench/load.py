"""HTTP load from separate processes: wrk with a Lua script when installed, else bench/pyload.py.

Either prints one `BENCH_JSON {...}` line (requests, duration_us, errors, bad, p50_us, p99_us);
`drive` runs one load process per target server at once and adds the server's CPU time and
statement count over the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.procs import REPO_ROOT, Server, cpu_seconds, machine_busy_seconds, statements

MARK = "BENCH_JSON "
DRAIN = 0.3
# A GraphQL error comes back as a 200: the body has to be looked at.
BAD_MARKERS = ('"errors"', '"userErrors":[{')

LUA = """
local bodies = {%(bodies)s}
local headers = {["Content-Type"] = "application/json", ["Authorization"] = %(auth)s}
local markers = {%(markers)s}
local threads = {}
i = 0
bad = 0
function setup(thread) table.insert(threads, thread) end
function init(args) i = math.random(#bodies) end
function request()
  i = i %% #bodies + 1
  return wrk.format("POST", "/graphql", headers, bodies[i])
end
function response(status, _, body)
  if status ~= 200 then bad = bad + 1 return end
  for _, m in ipairs(markers) do
    if string.find(body, m, 1, true) then bad = bad + 1 return end
  end
end
function done(summary, latency, _)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "errors": %%d, "bad": %%d, '
    .. '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    b, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_seconds: float = 0.0
    # Statements the requests ran themselves, per request the server saw; None from a floor.
    statements: float | None = None
    # Share of the machine's cores busy during the run (with anything: servers, databases,
    # load clients), 0 to 1.
    machine_busy: float = 0.0
    # Organizations' invoice counters held (bench/counting_server.py): how often, how long.
    lock_holds: int = 0
    lock_seconds: float = 0.0
    lock_seconds_to_commit: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / self.requests if self.requests else 0.0

    @property
    def lock_ms(self) -> float:
        """The mean time one invoice held its organization's counter."""
        return 1000 * self.lock_seconds / self.lock_holds if self.lock_holds else 0.0

    @property
    def lock_ms_to_commit(self) -> float:
        """`lock_ms` up to the moment the COMMIT was sent: what the database held, less its
        commit."""
        return 1000 * self.lock_seconds_to_commit / self.lock_holds if self.lock_holds else 0.0


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python client (bench/pyload.py)"


def drive(
    targets: list[tuple[Server, int]], bodies: list[str], key: str, seconds: float
) -> list[Load]:
    """Load every (server, connections) target at once for `seconds`; one Load per target."""
    return drive_apart([(server, n, bodies, key) for server, n in targets], seconds)


def drive_apart(targets: list[tuple[Server, int, list[str], str]], seconds: float) -> list[Load]:
    """`drive`, each target with its own bodies and API key (say, another organization's)."""
    with tempfile.TemporaryDirectory() as folder:
        commands = [
            _command(server, connections, bodies, key, seconds, Path(folder) / f"{n}")
            for n, (server, connections, bodies, key) in enumerate(targets)
        ]
        before = [_counters(server) for server, *_ in targets]
        busy_before, started = machine_busy_seconds(), time.monotonic()
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
            for command in commands
        ]
        outputs = [process.communicate()[0] for process in processes]
        busy = (machine_busy_seconds() - busy_before) / (time.monotonic() - started)
        after = [_counters(server) for server, *_ in targets]
    # Requests still in flight when the clients stop are let finish before the next run.
    time.sleep(DRAIN)
    loads = []
    for output, (cpu0, sql0), (cpu1, sql1) in zip(outputs, before, after, strict=True):
        load = _parse(output)
        load.cpu_seconds = cpu1 - cpu0
        load.machine_busy = busy / (os.cpu_count() or 1)
        if sql0 is not None and sql1 is not None and sql1["requests"] > sql0["requests"]:
            ran = sql1["request_statements"] - sql0["request_statements"]
            load.statements = ran / (sql1["requests"] - sql0["requests"])
            load.lock_holds = int(sql1["lock_holds"] - sql0["lock_holds"])
            load.lock_seconds = sql1["lock_seconds"] - sql0["lock_seconds"]
            load.lock_seconds_to_commit = (
                sql1["lock_seconds_to_commit"] - sql0["lock_seconds_to_commit"]
            )
        loads.append(load)
    return loads


def combined(loads: list[Load]) -> Load:
    """Several loads run side by side, as one: rates add up, the worst p99 counts."""
    seconds = max(load.seconds for load in loads)
    sql = [load.statements for load in loads]
    weights = [load.requests for load in loads]
    return Load(
        requests=sum(load.requests for load in loads),
        seconds=seconds,
        errors=sum(load.errors for load in loads),
        p50_ms=max(load.p50_ms for load in loads),
        p99_ms=max(load.p99_ms for load in loads),
        cpu_seconds=sum(load.cpu_seconds for load in loads),
        machine_busy=max(load.machine_busy for load in loads),
        lock_holds=sum(load.lock_holds for load in loads),
        lock_seconds=sum(load.lock_seconds for load in loads),
        lock_seconds_to_commit=sum(load.lock_seconds_to_commit for load in loads),
        statements=None
        if None in sql
        else sum((s or 0) * w for s, w in zip(sql, weights, strict=True)) / max(1, sum(weights)),
    )


def _counters(server: Server) -> tuple[float, dict[str, float] | None]:
    return cpu_seconds(server.process.pid), statements(server)


def _command(
    server: Server, connections: int, bodies: list[str], key: str, seconds: float, stem: Path
) -> list[str]:
    if shutil.which("wrk"):
        script = stem.with_suffix(".lua")
        script.write_text(
            LUA
            % {
                "bodies": ", ".join(_lua(body) for body in bodies),
                "auth": _lua(f"Bearer {key}"),
                "markers": ", ".join(_lua(marker) for marker in BAD_MARKERS),
                "mark": MARK,
            }
        )
        threads = str(min(2, connections))
        return [
            *("wrk", "-t", threads, "-c", str(connections), "-d", f"{max(1, round(seconds))}s"),
            *("--timeout", "30s", "--latency", "-s", str(script), server.base_url),
        ]
    bodies_file = stem.with_suffix(".json")
    bodies_file.write_text(json.dumps(bodies))
    return [
        *(sys.executable, "-m", "bench.pyload", server.graphql_url, str(bodies_file)),
        *("--key", key, "--connections", str(connections), "--seconds", str(seconds)),
    ]


def _lua(text: str) -> str:
    return f"[==[{text}]==]"


def _parse(output: str) -> Load:
    lines = [line for line in output.splitlines() if line.startswith(MARK)]
    if not lines:
        raise RuntimeError(f"the load client printed no result:\n{output[-2000:]}")
    data = json.loads(lines[-1][len(MARK) :])
    return Load(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        errors=int(data["errors"]) + int(data["bad"]),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )
