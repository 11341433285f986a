"""Rows h: memory with many listeners and one stuck, and what the stuck one gets back.

One more listener than row f's subscribes and then reads nothing (a receive queue of one
message, so its socket backs up) while a burst of invoices, more than a listener's buffer on
the server holds, goes to all the others. The server's resident memory is read from /proc
then; resumed, the stuck listener must receive every invoice of the burst, in order, once.
"""

from __future__ import annotations

from pathlib import Path

from bench.config import Plan
from bench.listeners import Listeners
from bench.procs import Server
from bench.report import Row

LIMIT_MB = 300


def resident_mb(pid: int) -> float:
    """VmRSS of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for process {pid}")


async def stuck_listener(plan: Plan, server: Server, key: str, mutation: str) -> list[Row]:
    listeners = await Listeners.start(server, key, plan.listeners, mutation, plan.patience)
    try:
        await listeners.command("stall")
        burst = await listeners.command(f"burst {plan.burst}")
        rss = resident_mb(server.process.pid)
        resumed = await listeners.command("resume")
    finally:
        await listeners.close()
    n = f"{plan.listeners:,}"
    whole = (
        resumed["received"] == resumed["expected"]
        and resumed["duplicates"] == 0
        and resumed["in_order"]
    )
    return [
        Row(
            "h1",
            f"{n} listeners and a stuck one, after {plan.burst} invoices: server memory (RSS)",
            f"{rss:.0f} MB",
            target=f"≤ {LIMIT_MB} MB",
            met=rss <= LIMIT_MB and burst["missing"] == 0,
            figures={"rss_mb": rss, "burst": burst},
        ),
        Row(
            "h2",
            "the stuck listener, resumed: the burst's invoices received, in order, once",
            f"{resumed['received']} of {resumed['expected']}, {resumed['duplicates']} twice, "
            f"{'in order' if resumed['in_order'] else 'OUT OF ORDER'}",
            target="all, in order, none twice",
            met=whole,
            figures=resumed,
        ),
    ]
