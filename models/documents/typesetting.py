"""Typesetting with typst (the PyPI wheel: its compiler in-process, no system package) and
fonts from PyPI wheels under the SIL Open Font License: Noto Sans (Latin, Greek, Cyrillic
and most currency signs), IBM Plex Sans Arabic (Arabic script, whose text PDF readers can
extract, which they cannot from Noto's Arabic), Heebo (Hebrew), Noto Sans Thai and Noto Sans
JP (CJK, and `￥`). Neither
the system's fonts nor typst's own are used: every machine renders the same, and the
locales these fonts cannot print are known (models/inputs/document_locales.py).

One compiler per process, made on first use (loading the fonts takes about 20 ms); renders
are serialized on it, each a few milliseconds. typst itself is imported then too: a process
that never renders a document never holds it in memory.
"""

from __future__ import annotations

import importlib.resources
import json
import threading
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fontTools.ttLib import TTFont

if TYPE_CHECKING:
    import typst

TEMPLATE = Path(__file__).with_name("invoice.typ")
FONT_PACKAGES = (
    ("fontpkg_noto_sans", "files"),
    ("fontpkg_ibm_plex_sans_arabic", "files"),
    ("fontpkg_heebo", "files"),
    ("fontpkg_noto_sans_thai", "files"),
    ("pylopdf_fonts_jp", ""),
)
FONT_FILES = frozenset({".ttf", ".otf"})
# Printed for a character no font has: a PDF/A may not show a missing glyph at all.
REPLACEMENT = "\ufffd"
_lock = threading.Lock()
_compiler: typst.Compiler | None = None


def font_directories() -> list[str]:
    return [
        str(importlib.resources.files(package) / folder)
        if folder
        else str(importlib.resources.files(package))
        for package, folder in FONT_PACKAGES
    ]


@cache
def covered() -> frozenset[int]:
    """Every code point one of the fonts draws."""
    found: set[int] = set()
    for folder in font_directories():
        for path in Path(folder).iterdir():
            if path.suffix in FONT_FILES:
                found |= set(TTFont(str(path), lazy=True)["cmap"].getBestCmap())
    return frozenset(found)


def printable(text: str) -> str:
    """`text` as the fonts can print it: control characters dropped (they print nothing),
    and a character no font draws (an emoji, a script the fonts lack) shown as �, where a
    plain PDF would show an empty box and a PDF/A cannot be made at all. Format characters
    (direction marks and isolates, joiners) need no glyph."""
    fonts = covered()
    kept: list[str] = []
    for character in text:
        kind = unicodedata.category(character)
        if character in "\n\t" or kind == "Cf" or (kind != "Cc" and ord(character) in fonts):
            kept.append(character)
        elif kind != "Cc":
            kept.append(REPLACEMENT)
    return "".join(kept)


def _printable(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value


def render_pdf(data: dict[str, Any], *, archival: bool = False) -> bytes:
    """The template laid out with `data`, as PDF bytes; `archival`, as PDF/A-3b, the PDF an
    e-invoice (Factur-X) is attached to. Blocking: run it off the event loop."""
    global _compiler
    source = TEMPLATE.read_bytes()
    with _lock:
        if _compiler is None:
            import typst  # on first use: see the module's docstring

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
            sys_inputs={"data": json.dumps(_printable(data), ensure_ascii=False)},
            pdf_standards=["a-3b"] if archival else [],
        )
    assert isinstance(pdf, bytes)
    return pdf
