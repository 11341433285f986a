"""The core (`models/`) never imports the server's frameworks: it is usable without them."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parent.parent / "models"
FORBIDDEN = frozenset({"strawberry", "starlette", "graphql", "uvicorn", "graph"})


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every `import` and absolute `from … import` in `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def forbidden_imports(source: str) -> list[tuple[int, str]]:
    return [
        (line, module)
        for line, module in imported_modules(source)
        if module.split(".")[0] in FORBIDDEN
    ]


def test_models_import_nothing_from_the_server_frameworks() -> None:
    files = sorted(MODELS.rglob("*.py"))
    assert len(files) > 10, f"found only {files} under {MODELS}"

    offences = [
        f"{path.relative_to(MODELS.parent)}:{line}: imports {module}"
        for path in files
        for line, module in forbidden_imports(path.read_text())
    ]

    assert offences == [], "models/ must not depend on the server:\n" + "\n".join(offences)


@pytest.mark.parametrize(
    "source",
    [
        "import strawberry",
        "import starlette.requests as r",
        "import os, strawberry.types",
        "from strawberry import type",
        "from starlette.responses import Response",
        "from graph.schema import schema",
        "def f():\n    from strawberry.types import Info\n",
        "if TYPE_CHECKING:\n    import graphql\n",
        "try:\n    import uvicorn\nexcept ImportError:\n    pass\n",
    ],
)
def test_the_check_sees_every_form_of_import(source: str) -> None:
    assert forbidden_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "from models.store.db import Database",
        "from . import strawberry_free",
        "import strawberryfields",
        "from graphviz import Digraph",
    ],
)
def test_the_check_lets_other_imports_through(source: str) -> None:
    assert forbidden_imports(source) == []
