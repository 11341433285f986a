"""schema.graphql, committed at the root, is exactly the SDL the code exports."""

from __future__ import annotations

import difflib
from pathlib import Path

from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    assert SCHEMA_FILE.exists(), "schema.graphql is missing: run `make schema`"
    committed = SCHEMA_FILE.read_text()
    exported = schema.as_str() + "\n"  # exactly what `oneoff export-schema` writes

    if committed != exported:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                exported.splitlines(keepends=True),
                "schema.graphql (committed)",
                "graph.schema (code)",
                n=1,
            )
        )
        lines = diff.splitlines()
        shown = "\n".join(lines[:80]) + (
            f"\n… {len(lines) - 80} more lines" if len(lines) > 80 else ""
        )
        raise AssertionError(f"schema.graphql is out of date: run `make schema`.\n{shown}")
