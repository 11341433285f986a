"""Typesetting with typst (the PyPI wheel: its compiler in-process, no system package) and
fonts from PyPI wheels under the SIL Open Font License: Noto Sans (Latin, Greek, Cyrillic
and most currency signs), IBM Plex Sans Arabic (Arabic script, whose text PDF readers can
extract, which they cannot from Noto's Arabic), Heebo (Hebrew), Noto Sans Thai and Noto Sans
JP (CJK, and `￥`). Neither
the system's fonts nor typst's own are used: every machine renders the same, and the
locales these fonts cannot print are known (models/inputs/document_locales.py).

One compiler per process, made on first use (loading the fonts takes about 20 ms); renders
are serialized on it, each a few milliseconds.
"""

from __future__ import annotations

import importlib.resources
import json
import threading
from pathlib import Path
from typing import Any

import typst

TEMPLATE = Path(__file__).with_name("invoice.typ")
FONT_PACKAGES = (
    ("fontpkg_noto_sans", "files"),
    ("fontpkg_ibm_plex_sans_arabic", "files"),
    ("fontpkg_heebo", "files"),
    ("fontpkg_noto_sans_thai", "files"),
    ("pylopdf_fonts_jp", ""),
)
_lock = threading.Lock()
_compiler: typst.Compiler | None = None


def font_directories() -> list[str]:
    return [
        str(importlib.resources.files(package) / folder)
        if folder
        else str(importlib.resources.files(package))
        for package, folder in FONT_PACKAGES
    ]


def render_pdf(data: dict[str, Any], *, archival: bool = False) -> bytes:
    """The template laid out with `data`, as PDF bytes; `archival`, as PDF/A-3b, the PDF an
    e-invoice (Factur-X) is attached to. Blocking: run it off the event loop."""
    global _compiler
    source = TEMPLATE.read_bytes()
    with _lock:
        if _compiler is None:
            fonts = typst.Fonts(
                include_system_fonts=False,
                include_embedded_fonts=False,
                font_paths=font_directories(),
            )
            _compiler = typst.Compiler(font_paths=fonts, ignore_system_fonts=True)
        # The source is passed on every call: a Compiler made with it fails its second
        # compile (typst 0.15.2).
        pdf = _compiler.compile(
            input=source,
            format="pdf",
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            pdf_standards=["a-3b"] if archival else [],
        )
    assert isinstance(pdf, bytes)
    return pdf
