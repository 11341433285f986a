"""The table the bench prints (markdown, aligned) and the JSON it writes, from its rows."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HEADERS = ("row", "measure", "oneoff", "floor", "ratio", "target", "result")


@dataclass
class Row:
    key: str
    measure: str
    project: str
    floor: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: bool | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    # Not met, and the machine cannot meet it whatever the code does (the row says why).
    bound_here: bool = False

    @property
    def result(self) -> str:
        if self.bound_here and not self.met:
            return "NOT MEASURABLE HERE"
        return {True: "MET", False: "NOT MET", None: "—"}[self.met]


def skipped(key: str, measure: str, why: str) -> Row:
    line = " ".join(why.split())
    return Row(key, measure, f"skipped: {line}", figures={"skipped": why})


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ratio(project: float, floor: float) -> float:
    return project / floor if floor else float("inf")


def times(value: float) -> str:
    return f"{value:.2f}×"


def table(rows: Sequence[Row]) -> str:
    cells = [
        HEADERS,
        *((r.key, r.measure, r.project, r.floor, r.ratio, r.target, r.result) for r in rows),
    ]
    widths = [max(len(line[n]) for line in cells) for n in range(len(HEADERS))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), rule, *(line(values) for values in cells[1:])])


def write_json(path: Path, rows: Sequence[Row], about: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**about, "rows": [asdict(row) | {"result": row.result} for row in rows]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
