"""The house rules on imports: the core (`models/`) never imports the server or its frameworks,
and each of its packages imports only the packages below it, as its docstring says."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parent.parent / "models"
FORBIDDEN = frozenset({"strawberry", "starlette", "graphql", "uvicorn", "graph"})
# What pure arithmetic and input checks may import at all: computation only, so that no
# database, network, file or process code can creep in under another name.
PURE_MAY_IMPORT = frozenset(
    {
        "__future__",
        "babel",
        "collections",
        "dataclasses",
        "datetime",
        "decimal",
        "enum",
        "fractions",
        "functools",
        "itertools",
        "math",
        "models",
        "operator",
        "re",
        "string",
        "typing",
        "unicodedata",
        "zoneinfo",
    }
)
PURE = frozenset({"billing", "inputs"})

# Which models packages each package may import, bottom up. A package's own docstring says
# the same (checked below), so that a reader of the code finds the rule where it applies.
ALLOWED: dict[str, frozenset[str]] = {
    "billing": frozenset({"billing"}),
    "inputs": frozenset({"billing", "inputs"}),
    "store": frozenset({"billing", "inputs", "store"}),
    "catalog": frozenset({"billing", "inputs", "store", "catalog"}),
    "organizations": frozenset({"billing", "inputs", "store", "catalog", "organizations"}),
    "events": frozenset({"billing", "inputs", "store", "events"}),
    "invoicing": frozenset({"billing", "inputs", "store", "catalog", "events", "invoicing"}),
    "webhooks": frozenset({"billing", "inputs", "store", "events", "webhooks"}),
    "einvoices": frozenset({"billing", "inputs", "store", "einvoices"}),
    "documents": frozenset(
        {"billing", "inputs", "store", "catalog", "invoicing", "einvoices", "documents"}
    ),
}
ANY = "any models package"
PACKAGES = sorted(path.name for path in MODELS.iterdir() if (path / "__init__.py").is_file())


def imported_modules(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for every `import` and absolute `from … import` in `source`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def relative_imports(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]


def models_imported(source: str) -> Iterator[tuple[int, str]]:
    """(line, package) for every import of a models package, `from models import x` included."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "models":
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.Import) and any(a.name == "models" for a in node.names):
            # `import models` then `models.x.y` would reach any package unseen.
            yield node.lineno, "models (the whole core)"
    for line, module in imported_modules(source):
        parts = module.split(".")
        if parts[0] == "models" and len(parts) > 1:
            yield line, parts[1]


def allowed_by_docstring(package: str) -> frozenset[str] | str:
    """The packages the package's docstring lets it import, from its "May import:" line."""
    docstring = ast.get_docstring(ast.parse((MODELS / package / "__init__.py").read_text()))
    assert docstring, f"models/{package}/__init__.py has no docstring"
    found = re.search(r"^May import: (.*?)(?:\.$|\.\s*\n\s*\n|\Z)", docstring, re.M | re.S)
    assert found, f"models/{package}'s docstring does not say what it may import"
    if found.group(1).strip() == ANY:
        return ANY
    return frozenset(re.findall(r"models\.(\w+)", found.group(1)))


def impure_imports(source: str) -> list[tuple[int, str]]:
    """Imports that pure arithmetic and input checks may not make."""
    return [
        (line, module)
        for line, module in imported_modules(source)
        if module.split(".")[0] not in PURE_MAY_IMPORT
    ]


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


def test_every_package_says_what_it_may_import_and_the_rule_agrees() -> None:
    assert len(PACKAGES) >= 8, PACKAGES
    written = {package: allowed_by_docstring(package) for package in PACKAGES}
    assert {p: a for p, a in written.items() if a != ANY} == ALLOWED
    assert [p for p, a in written.items() if a == ANY] == ["operators"]


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_what_its_rule_allows(package: str) -> None:
    allowed = ALLOWED.get(package)
    files = sorted((MODELS / package).rglob("*.py"))
    offences = [
        f"{path.relative_to(MODELS.parent)}:{line}: imports models.{imported}"
        for path in files
        for line, imported in models_imported(path.read_text())
        if allowed is not None and imported not in allowed
    ]
    offences += [
        f"{path.relative_to(MODELS.parent)}:{line}: a relative import hides its package"
        for path in files
        for line in relative_imports(path.read_text())
    ]
    if package in PURE:
        offences += [
            f"{path.relative_to(MODELS.parent)}:{line}: pure code imports {module}"
            for path in files
            for line, module in impure_imports(path.read_text())
        ]
    assert offences == [], f"models/{package} breaks its import rule:\n" + "\n".join(offences)


def test_the_top_level_modules_of_models_are_packages_only() -> None:
    loose = sorted(p.name for p in MODELS.glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"every module of models/ belongs to a package: {loose}"


@pytest.mark.parametrize(
    ("source", "package"),
    [
        ("from models.invoicing.create import create_one_off_invoice", "invoicing"),
        ("import models.store.db", "store"),
        ("from models import catalog", "catalog"),
        ("def f():\n    from models.events.reader import follow\n", "events"),
        ("import models", "models (the whole core)"),
    ],
)
def test_the_rule_check_sees_every_form_of_models_import(source: str, package: str) -> None:
    assert [imported for _, imported in models_imported(source)] == [package]


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy",
        "from sqlmodel import select",
        "import os",
        "import socket",
        "def f():\n    import subprocess\n",
        "from httpx import AsyncClient",
        "from pathlib import Path",
    ],
)
def test_the_purity_check_refuses_io_in_any_form(source: str) -> None:
    assert impure_imports(source)


@pytest.mark.parametrize(
    "source",
    ["from decimal import Decimal", "import babel.numbers", "from models.billing import money"],
)
def test_the_purity_check_lets_computation_through(source: str) -> None:
    assert impure_imports(source) == []
