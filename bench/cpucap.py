"""Hold server processes to a share of a core each, with the kernel's CPU controller (cgroups).

Two server processes on a 2-core machine share those cores with PostgreSQL and the load
client, so "what does a second process add" measures the machine. Behind a load balancer
each process has cores of its own. Capping every server to the same share, well under what
the machine has, gives each the headroom it would have there: the ratio then measures what
the processes share (the database and its locks), not what this machine lacks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# cgroup v2's unified tree first, then v1's cpu controller.
_ROOTS = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/cpu"))
# Short: a throttled process stalls for up to period × (1 - share), and a stall while it holds
# an organization's counter lock is charged to the lock.
PERIOD_US = 20_000


class CapUnavailable(Exception):
    """No CPU controller this process may write to (not root, or no cgroup mounted)."""


@contextmanager
def capped(pids: list[int], cores: float) -> Iterator[None]:
    """Each pid (all its threads) in a cgroup of its own, limited to `cores` of one core."""
    groups: list[Path] = []
    try:
        for pid in pids:
            groups.append(_cap(pid, cores, f"oneoff-bench-{pid}"))
        yield
    finally:
        for group in groups:
            _release(group)


def _cap(pid: int, cores: float, name: str) -> Path:
    quota = max(1_000, int(PERIOD_US * cores))
    errors: list[str] = []
    for root in _ROOTS:
        group = root / name
        try:
            if (root / "cgroup.controllers").exists():
                if "cpu" not in (root / "cgroup.subtree_control").read_text().split():
                    (root / "cgroup.subtree_control").write_text("+cpu")
                group.mkdir(exist_ok=True)
                (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            elif (root / "cpu.cfs_quota_us").exists():
                group.mkdir(exist_ok=True)
                (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (group / "cpu.cfs_quota_us").write_text(str(quota))
            else:
                continue
            (group / "cgroup.procs").write_text(str(pid))
            return group
        except OSError as error:
            errors.append(f"{group}: {error}")
    raise CapUnavailable("; ".join(errors) or "no cgroup CPU controller mounted")


def _release(group: Path) -> None:
    """The process back to its parent's group (uncapped), and the group removed."""
    try:
        for pid in (group / "cgroup.procs").read_text().split():
            (group.parent / "cgroup.procs").write_text(pid)
        os.rmdir(group)
    except OSError:
        pass
