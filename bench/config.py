"""How long and how big each measure is: the full bench, and --quick (say-so in the table)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    quick: bool
    seconds: float  # one loaded run (wrk takes whole seconds)
    warmup: float  # one unrecorded run per server before its first measured one
    repetitions: int  # project, floor, project, floor…: medians of this many each
    unloaded_seconds: float
    small_invoices: int
    big_invoices: int
    listeners: int
    few_listeners: int
    # A whole keepalive period at least: uvicorn and the websockets client each ping every 20 s,
    # all 1,000 sockets within a second or two, so a shorter window holds a burst or none.
    idle_seconds: float
    events: int
    burst: int  # invoices while one listener is stuck: more than its buffer on the server (100)
    patience: float  # longest wait for one event to reach every listener

    def describe(self) -> str:
        mode = "--quick" if self.quick else "full"
        return (
            f"{mode}: {self.repetitions} interleaved run(s) of {self.seconds:g} s per measure "
            f"(medians), pages at {self.small_invoices:,} vs {self.big_invoices:,} invoices, "
            f"{self.listeners:,} listeners, {self.events} events, a burst of {self.burst}"
        )


FULL = Plan(
    quick=False,
    seconds=8,
    warmup=2,
    repetitions=3,
    unloaded_seconds=4,
    small_invoices=1_000,
    big_invoices=100_000,
    listeners=1_000,
    few_listeners=10,
    idle_seconds=20,
    events=7,
    burst=150,
    patience=120,
)

QUICK = Plan(
    quick=True,
    seconds=3,
    warmup=1,
    repetitions=1,
    unloaded_seconds=2,
    small_invoices=1_000,
    big_invoices=20_000,
    listeners=200,
    few_listeners=10,
    idle_seconds=3,
    events=3,
    burst=120,
    patience=60,
)
