"""`make bench`: the project against its floors, one table with every target, and JSON.

    .venv/bin/python bench/run.py [--quick] [--postgres URL] [--json PATH] [--only a,c,…]

Real servers in their own processes (the project through bench/counting_server.py, floors
from bench/floors/), load from other processes (wrk, else bench/pyload.py), project and
floor runs interleaved, medians. PostgreSQL: --postgres, else $BENCH_POSTGRES_URL, else
postgresql://postgres@127.0.0.1:5432/; the bench creates and drops its own database there.
Nothing is asserted: a target not met is reported, not raised.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import rows_listen, rows_memory, rows_page, rows_scaling, rows_write
from bench.catalog import body, create_pg_database, drop_pg_database, tenant
from bench.config import FULL, QUICK, Plan
from bench.load import tool
from bench.procs import REPO_ROOT, Server, start_floor, start_project
from bench.queries import FANOUT_FLOOR
from bench.report import Row, skipped, table, write_json
from bench.seed import seed_invoices
from tests.server import sqlite_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
LOGS = REPO_ROOT / "var" / "bench-logs"
Section = Callable[[], Awaitable[list[Row]]]


class Bench:
    def __init__(self, plan: Plan, folder: Path, postgres: str) -> None:
        self.plan, self.folder, self.postgres = plan, folder, postgres
        self.servers: list[Server] = []
        self._project: Server | None = None

    def floor(self, name: str, url: str = "sqlite+aiosqlite:///unused") -> Server:
        server = start_floor(name, url, LOGS)
        self.servers.append(server)
        return server

    def project(self) -> Server:
        """The SQLite project server rows a, c, d, e and f share (one organization each)."""
        if self._project is None or not self._project.running:
            self._project = start_project(sqlite_url(self.folder / "oneoff.sqlite3"), LOGS)
            self.servers.append(self._project)
        return self._project

    def stop(self, *servers: Server) -> None:
        for server in servers or tuple(self.servers):
            server.stop()

    async def create(self) -> list[Row]:
        project = self.project()
        floor = self.floor("one_insert", sqlite_url(self.folder / "floor.sqlite3"))
        try:
            payer = await tenant(project, "Bench create")
            return rows_write.sqlite_create(self.plan, project, payer, floor)
        finally:
            self.stop(floor)

    async def pages(self) -> list[Row]:
        project, plan = self.project(), self.plan
        small, big = await tenant(project, "Bench small"), await tenant(project, "Bench big")
        seed_invoices(project.database_url, small.customer_ids, plan.small_invoices)
        seed_invoices(project.database_url, big.customer_ids, plan.big_invoices)
        floor = self.floor("static_page")
        try:
            for server in (project, floor):
                rows_page.check_page(server, small.key)
            rows_page.check_page(project, big.key)
            return [
                *rows_page.loaded(plan, project, small, floor),
                *rows_page.unloaded(plan, project, small, big),
            ]
        finally:
            self.stop(floor)

    async def listeners(self) -> list[Row]:
        project, plan = self.project(), self.plan
        payer = await tenant(project, "Bench listeners", customers=1)
        create = payer.create_bodies()[0]
        mine = await rows_listen.observe(plan, project, payer.key, create, plan.listeners, True)
        few = await rows_listen.observe(plan, project, payer.key, create, plan.few_listeners, False)
        floor = self.floor("fanout")
        try:
            bare = await rows_listen.observe(
                plan, floor, payer.key, body(FANOUT_FLOOR), plan.listeners, True
            )
        finally:
            self.stop(floor)
        return rows_listen.rows(plan, mine, bare, few)

    async def memory(self) -> list[Row]:
        project = self.project()
        payer = await tenant(project, "Bench memory", customers=1)
        create = payer.create_bodies()[0]
        return await rows_memory.stuck_listener(self.plan, project, payer.key, create)

    async def postgres_rows(self) -> list[Row]:
        url = await create_pg_database(self.postgres)
        if url is None:
            why = f"no PostgreSQL at {self.postgres}"
            return [
                skipped(key, f"createOneOffInvoice, PostgreSQL ({key})", why)
                for key in ("b1", "b2", "b3", "g1", "g3")
            ]
        try:
            first = start_project(url, LOGS)
            self.servers.append(first)
            floor = self.floor("one_insert", url)
            payer = await tenant(first, "Bench postgres")
            rows = rows_write.postgres_create(self.plan, first, payer, floor)
            self.stop(floor)
            second = start_project(url, LOGS)
            self.servers.append(second)
            other = await tenant(first, "Bench postgres, another organization")
            alone = next(row for row in rows if row.key == "b1").figures["project"]
            rows += rows_scaling.two_processes(self.plan, first, second, payer, other, alone)
            self.stop(first, second)
            return rows
        finally:
            self.stop()
            await drop_pg_database(self.postgres)


async def bench(plan: Plan, postgres: str, only: set[str]) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="oneoff-bench-") as folder:
        runner = Bench(plan, Path(folder), postgres)
        sections: dict[str, Section] = {
            "a": runner.create,
            "cd": runner.pages,
            "ef": runner.listeners,
            "h": runner.memory,
            "bg": runner.postgres_rows,
        }
        try:
            for keys, section in sections.items():
                if only and not only & set(keys):
                    continue
                started = time.monotonic()
                try:
                    rows += await section()
                except Exception as error:
                    traceback.print_exc()
                    rows.append(skipped(keys, f"rows {keys}", f"failed: {error!s:.200}"))
                print(f"rows {keys}: {time.monotonic() - started:.0f} s", file=sys.stderr)
        finally:
            runner.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="under 2 minutes, smaller")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "var" / "bench.json")
    parser.add_argument("--only", default="", help="row letters, e.g. a,c (default: all)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    postgres = args.postgres or DEFAULT_POSTGRES
    started = time.monotonic()
    rows = asyncio.run(bench(plan, postgres, set(args.only.replace(",", ""))))
    rows.sort(key=lambda row: row.key)
    wall = time.monotonic() - started
    about = {"plan": plan.describe(), "load": tool(), "cores": os.cpu_count(), "seconds": wall}
    print(f"\n{plan.describe()}; load from {tool()}; {os.cpu_count()} cores; {wall:.0f} s\n")
    print(table(rows))
    write_json(args.json, rows, about)
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
