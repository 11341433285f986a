"""Rows c and d: a page of 50 invoices with their fees, taxes and customer, loaded against the
static floor, and unloaded at a small and a big organization."""

from __future__ import annotations

from bench.catalog import Tenant, body
from bench.config import Plan
from bench.measure import interleave, run_of
from bench.procs import Server
from bench.queries import PAGE
from bench.report import Row, ratio, times

WHAT = "invoices(first: 50) + fees, their taxes, invoice taxes, customer"


def check_page(server: Server, key: str) -> None:
    """One page, looked at: 50 invoices, no error; else the figures would measure a failure."""
    with server.client(timeout=60) as client:
        answer = client.post("/graphql", content=body(PAGE), headers=_headers(key)).json()
    edges = (answer.get("data") or {}).get("invoices", {}).get("edges", [])
    if "errors" in answer or len(edges) != 50:
        raise RuntimeError(f"{server.log_path.name}: the page is wrong: {str(answer)[:500]}")


def loaded(plan: Plan, project: Server, small: Tenant, floor: Server) -> list[Row]:
    runs = {
        "project": run_of(project, 16, [body(PAGE)], small.key),
        "floor": run_of(floor, 16, [body(PAGE)], small.key),
    }
    got = interleave(plan, runs)
    mine, bare = got["project"], got["floor"]
    share = ratio(mine.rps, bare.rps)
    return [
        Row(
            "c1",
            f"{WHAT}, {plan.small_invoices:,} invoices, 16 conn",
            mine.text(),
            f"static objects: {bare.text()}",
            times(share),
            "≥ 0.5× floor",
            share >= 0.5,
            {"project": mine, "floor": bare},
        )
    ]


def unloaded(plan: Plan, project: Server, small: Tenant, big: Tenant) -> list[Row]:
    runs = {
        "small": run_of(project, 1, [body(PAGE)], small.key),
        "big": run_of(project, 1, [body(PAGE)], big.key),
    }
    got = interleave(plan, runs, plan.unloaded_seconds)
    few, many = got["small"], got["big"]
    growth = ratio(many.p50_ms, few.p50_ms)
    sizes = f"{plan.small_invoices:,} → {plan.big_invoices:,}"
    rows = [
        Row(
            "d1",
            f"same page unloaded (1 client), p50 at {sizes} invoices",
            f"{few.p50_ms:.1f} → {many.p50_ms:.1f} ms",
            "—",
            times(growth),
            "≤ 1.3×",
            growth <= 1.3,
            {"small": few, "big": many},
        )
    ]
    if few.statements is None or many.statements is None:
        rows.append(Row("c2", "SQL statements per page", "n/a (no counter)"))
    else:
        constant = abs(few.statements - many.statements) < 0.05
        rows.append(
            Row(
                "c2",
                f"SQL statements per page at {sizes} invoices",
                f"{few.statements:.1f} → {many.statements:.1f}",
                target="constant",
                met=constant,
            )
        )
    return rows


def _headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


__all__ = ["check_page", "loaded", "unloaded"]
