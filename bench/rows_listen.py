"""Rows e and f: idle `invoiceCreated` listeners, and one invoice to many of them, against the
queue-per-listener fan-out floor."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bench.config import Plan
from bench.listeners import Listeners
from bench.procs import Server, cpu_seconds
from bench.procs import statements as counts
from bench.report import Row, median, percentile, ratio, times

# After the last receipt, so that work the server does past it (a last write, a wake-up)
# lands in the event's CPU too.
SETTLE = 0.3


@dataclass
class Observed:
    count: int
    idle_cpu_per_s: float = 0.0
    idle_sql_per_s: float | None = None
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    cpu_per_event: list[float] = field(default_factory=list)
    sql_per_event: list[float] = field(default_factory=list)
    missing: int = 0


async def observe(
    plan: Plan, server: Server, key: str, mutation: str, count: int, idle: bool
) -> Observed:
    """`count` listeners on `server`: idle for a while (the whole idle window if `idle`, half
    of it otherwise, only to learn the background rate), then `plan.events` events."""
    seen = Observed(count)
    listeners = await Listeners.start(server, key, count, mutation, plan.patience)
    try:
        await asyncio.sleep(1.0)  # past the warm-up event's tail
        # The background's own statements (pollers, readers) are measured idle and taken off
        # each event's count, so that what is left is what the event itself cost.
        cpu, sql, started = _counters(server), statements(server), time.monotonic()
        await asyncio.sleep(plan.idle_seconds if idle else plan.idle_seconds / 2)
        elapsed = time.monotonic() - started
        seen.idle_cpu_per_s = (_counters(server) - cpu) / elapsed
        after = statements(server)
        if sql is not None and after is not None:
            seen.idle_sql_per_s = (after - sql) / elapsed
        for _ in range(plan.events):
            cpu, sql, started = _counters(server), statements(server), time.monotonic()
            delays, missing = await listeners.event()
            await asyncio.sleep(SETTLE)
            seen.cpu_per_event.append(_counters(server) - cpu)
            after = statements(server)
            if sql is not None and after is not None:
                background = (seen.idle_sql_per_s or 0.0) * (time.monotonic() - started)
                seen.sql_per_event.append(after - sql - background)
            seen.p50_ms.append(percentile(delays, 0.5))
            seen.p99_ms.append(percentile(delays, 0.99))
            seen.missing += missing
    finally:
        await listeners.close()
    return seen


def rows(plan: Plan, mine: Observed, bare: Observed, few: Observed) -> list[Row]:
    n = f"{mine.count:,}"
    p99 = ratio(median(mine.p99_ms), median(bare.p99_ms))
    cpu = ratio(median(mine.cpu_per_event), median(bare.cpu_per_event))
    idle_sql = "n/a" if mine.idle_sql_per_s is None else f"{mine.idle_sql_per_s:.1f}"
    return [
        Row(
            "e1",
            f"{n} idle invoiceCreated listeners: server CPU-s per s",
            f"{mine.idle_cpu_per_s:.3f}",
            f"queue per listener: {bare.idle_cpu_per_s:.3f}",
            target="≤ 0.02",
            met=mine.idle_cpu_per_s <= 0.02,
            figures={"project": mine, "floor": bare},
        ),
        Row("e2", f"{n} idle listeners: SQL statements per s", idle_sql),
        Row(
            "f1",
            f"one invoice to {n} listeners: delay after the answer, p50 / p99",
            _delays(mine),
            _delays(bare),
            times(p99),
            "p99 ≤ 2× floor",
            p99 <= 2 and mine.missing == 0,
        ),
        Row(
            "f2",
            f"one invoice to {n} listeners: server CPU-s per event",
            f"{median(mine.cpu_per_event):.3f}",
            f"{median(bare.cpu_per_event):.3f}",
            times(cpu),
            "≤ 3× floor",
            cpu <= 3,
        ),
        _statements(few, mine),
    ]


def _statements(few: Observed, many: Observed) -> Row:
    measure = (
        f"SQL statements per event (idle rate taken off) at {few.count} vs {many.count:,} listeners"
    )
    if not few.sql_per_event or not many.sql_per_event:
        return Row("f3", measure, "n/a (no counter)")
    a, b = median(few.sql_per_event), median(many.sql_per_event)
    return Row(
        "f3",
        measure,
        f"{a:.1f} vs {b:.1f}",
        # A per-listener cost would show as hundreds; the idle poll left in a window, as ±3.
        target="independent (±10%, ±3)",
        met=abs(b - a) <= max(3.0, 0.1 * a),
        figures={"few": few.sql_per_event, "many": many.sql_per_event},
    )


def _delays(seen: Observed) -> str:
    missing = f", {seen.missing} receipts missing" if seen.missing else ""
    return f"{median(seen.p50_ms):.0f} / {median(seen.p99_ms):.0f} ms{missing}"


def _counters(server: Server) -> float:
    return cpu_seconds(server.process.pid)


def statements(server: Server) -> int | None:
    """Every statement the server ran so far, its background readers' included."""
    counted = counts(server)
    return None if counted is None else int(counted["statements"])
