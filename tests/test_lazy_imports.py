"""The server starts without the document libraries: factur-x (about 18 MB and 140 ms to
import) and typst are loaded by the first document a process makes, so that every process
that makes none (listeners', APIs') keeps that memory; make bench row h1 reads it."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.server import REPO_ROOT

PROBE = """
import json, sys
import graph.app
from models.einvoices import codes
codes.countries()  # the code lists are read from factur-x's files, without importing it
print(json.dumps(sorted(name for name in ("facturx", "typst") if name in sys.modules)))
"""


def test_the_server_starts_without_the_document_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == []
