"""Interleaved runs against running servers, and the medians a row is made of."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.config import Plan
from bench.load import Load, drive
from bench.procs import Server
from bench.report import median

# One run of `seconds`, against servers already up.
Run = Callable[[float], Load]


def run_of(server: Server, connections: int, bodies: list[str], key: str) -> Run:
    return lambda seconds: drive([(server, connections)], bodies, key, seconds)[0]


def interleave(
    plan: Plan, runs: dict[str, Run], seconds: float | None = None
) -> dict[str, Figures]:
    """Each run warmed once, then all in turn `plan.repetitions` times: project, floor, …"""
    for run in runs.values():
        run(plan.warmup)
    loads: dict[str, list[Load]] = {name: [] for name in runs}
    for _ in range(plan.repetitions):
        for name, run in runs.items():
            loads[name].append(run(seconds or plan.seconds))
    return {name: Figures.of(done) for name, done in loads.items()}


@dataclass
class Figures:
    """Medians over runs; `statements` per request, None where the server does not count."""

    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    statements: float | None
    requests: int
    errors: int
    machine_busy: float = 0.0  # share of the machine's cores busy, as in Load
    lock_ms: float = 0.0  # the mean hold of an organization's invoice counter, as in Load
    lock_ms_to_commit: float = 0.0

    @classmethod
    def of(cls, loads: list[Load]) -> Figures:
        counted = [load.statements for load in loads if load.statements is not None]
        return cls(
            rps=median([load.rps for load in loads]),
            p50_ms=median([load.p50_ms for load in loads]),
            p99_ms=median([load.p99_ms for load in loads]),
            cpu_ms=median([load.cpu_ms_per_request for load in loads]),
            statements=median(counted) if counted else None,
            requests=sum(load.requests for load in loads),
            errors=sum(load.errors for load in loads),
            machine_busy=median([load.machine_busy for load in loads]),
            lock_ms=median([load.lock_ms for load in loads]),
            lock_ms_to_commit=median([load.lock_ms_to_commit for load in loads]),
        )

    def text(self) -> str:
        errors = f", {self.errors} errors" if self.errors else ""
        return f"{self.rps:.1f} req/s, p99 {self.p99_ms:.0f} ms, {self.cpu_ms:.2f} ms CPU{errors}"
