"""Rows g: PostgreSQL with two server processes against one, and one organization's counter
lock against two organizations'.

Measured twice. As the machine is: on 2 cores the second process mostly finds them busy, so
that row says how much the cores allowed. And with every server held to the same share of a
core (bench/cpucap.py), as processes on machines of their own would be: what a second process
adds then is what the code lets it add.
"""

from __future__ import annotations

from bench.catalog import Tenant
from bench.config import Plan
from bench.cpucap import CapUnavailable, capped
from bench.load import Load, combined, drive, drive_apart
from bench.measure import Figures, Run, interleave, run_of
from bench.procs import Server
from bench.report import Row, ratio, times
from bench.rows_write import CREATE

# Whose run the uncapped rows' one process is, as their measures say.
OWN_RUN, B1_RUN = "its own run", "b1's run"
SCALING = 1.6
# One organization's invoices against two organizations': its lock may cost at most this much.
LOCK_FREE = 0.9
# Each server's share of a core when capped: two of them, PostgreSQL and the load client must
# leave a 2-core machine idle part of the time, or the cores are measured again.
CAP_CORES = 0.5


def two_processes(
    plan: Plan, first: Server, second: Server, tenant: Tenant, other: Tenant, alone: Figures
) -> list[Row]:
    """`alone`: `first` uncapped, 16 connections, on `tenant` (row b1's run): the uncapped
    rows compare with it rather than take another minute of a bench that has ten."""
    runs = _runs(first, second, tenant, other)
    try:
        with capped([first.process.pid, second.process.pid], CAP_CORES):
            held = interleave(plan, runs)
    except CapUnavailable as error:
        got = interleave(plan, runs)
        why = str(error)
        rows = [*_targets(got, None), _machine("g2", got, OWN_RUN)]
        return [*rows, _not_capped("g4", why), _lock(got, OWN_RUN)]
    free = {"one": alone}
    if plan.quick:  # its two minutes have no room for a run the targets do not read
        uncapped = Row(
            "g2", f"{CREATE}, PostgreSQL, uncapped: 2 processes vs 1", "not run in --quick"
        )
    else:
        free.update(interleave(plan, {"two": runs["two"]}))
        uncapped = _machine("g2", free, B1_RUN)
    return [*_targets(held, CAP_CORES), uncapped, _cap_held("g4", held), _lock(free, B1_RUN)]


def _runs(first: Server, second: Server, tenant: Tenant, other: Tenant) -> dict[str, Run]:
    bodies = tenant.create_bodies()

    def both(seconds: float) -> Load:
        return combined(drive([(first, 8), (second, 8)], bodies, tenant.key, seconds))

    # The same load on two organizations: no invoice waits for another organization's lock,
    # so what one organization loses against it is what its counter lock costs.
    def apart(seconds: float) -> Load:
        targets = [(first, 8, bodies, tenant.key), (second, 8, other.create_bodies(), other.key)]
        return combined(drive_apart(targets, seconds))

    return {"one": run_of(first, 16, bodies, tenant.key), "two": both, "apart": apart}


def _targets(got: dict[str, Figures], cores: float | None) -> list[Row]:
    one, two, apart = got["one"], got["two"], got["apart"]
    gain, lock = ratio(two.rps, one.rps), ratio(two.rps, apart.rps)
    share = "uncapped" if cores is None else f"each server held to {cores:g} of a core"
    return [
        Row(
            "g1",
            f"{CREATE}, PostgreSQL: 2 processes (8+8 conn) vs 1 (16 conn), {share}",
            f"2 processes: {two.rps:.1f} req/s, p99 {two.p99_ms:.0f} ms",
            f"1 process: {one.rps:.1f} req/s",
            times(gain),
            f"≥ {SCALING}×",
            gain >= SCALING,
            {"two": two, "one": one},
            # Uncapped, the cores run out first (row g2 says at what ratio).
            bound_here=cores is None and _headroom(one) < SCALING,
        ),
        Row(
            "g3",
            f"{CREATE}, PostgreSQL, 2 processes, {share}: 1 organization vs 2 "
            "(its counter lock's cost)",
            f"1 organization: {two.rps:.1f} req/s",
            f"2 organizations: {apart.rps:.1f} req/s",
            times(lock),
            f"≥ {LOCK_FREE}×",
            lock >= LOCK_FREE,
            {"two": two, "apart": apart},
        ),
    ]


def _machine(key: str, got: dict[str, Figures], whose: str) -> Row:
    one, two = got["one"], got["two"]
    gain, headroom = ratio(two.rps, one.rps), _headroom(one)
    return Row(
        key,
        f"{CREATE}, PostgreSQL, uncapped: 2 processes vs 1 ({whose}), and what the cores allowed",
        f"{two.rps:.1f} vs {one.rps:.1f} req/s: {times(gain)}; 1 process kept "
        f"{one.machine_busy:.0%} of the machine's cores busy, so at most {times(headroom)}",
        "—",
        f"{ratio(gain, headroom):.0%} of it",
        figures={"two": two, "one": one},
    )


def _headroom(one: Figures) -> float:
    # Servers, PostgreSQL and the load client all grow with the rate: past 1 / busy share the
    # cores are full, whatever the locks.
    return ratio(1.0, one.machine_busy)


def _cap_held(key: str, got: dict[str, Figures]) -> Row:
    one, two = got["one"], got["two"]
    return Row(
        key,
        f"{CREATE}, PostgreSQL, capped at {CAP_CORES:g} of a core: the cap held, with headroom",
        f"servers used {_cores(one):.2f} (1 process) and {_cores(two):.2f} cores "
        f"(2 processes); the machine's cores were {one.machine_busy:.0%} and "
        f"{two.machine_busy:.0%} busy",
    )


def _lock(got: dict[str, Figures], whose: str) -> Row:
    one = got["one"]
    # An organization's invoices take its counter one after another, and the database holds
    # it from the UPDATE until the commit is done: longer than the first span, so that span
    # bounds the organization's rate, however many processes serve it. The second, which
    # ends after an event-loop turn the lock does not wait for, is no bound.
    low, high = one.lock_ms_to_commit, one.lock_ms
    ceiling = f"at most {1000 / low:.0f} invoices/s" if low else "n/a"
    return Row(
        "g5",
        f"{CREATE}, PostgreSQL, 1 process uncapped, 16 conn ({whose}): how long an invoice "
        "holds its organization's counter: from the UPDATE's answer to the COMMIT sent, and "
        "to the connection's return after it",
        f"{low:.2f} and {high:.2f} ms at {one.rps:.1f} req/s: one organization's ceiling is "
        f"{ceiling}, however many processes",
        figures={"one": one},
    )


def _cores(figures: Figures) -> float:
    return figures.rps * figures.cpu_ms / 1000


def _not_capped(key: str, why: str) -> Row:
    return Row(key, f"{CREATE}, PostgreSQL: servers held to a share of a core", f"not run: {why}")
