"""Debian's Chromium, driven by Playwright, as a user's browser: console errors are
collected (a test fails on any), and each step's screenshot is kept as a test artifact in
var/test-artifacts/console/ (CI keeps the checkout's var/)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.server import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "var" / "test-artifacts" / "console"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed; .ci/run installs it",
)


@dataclass
class Browser:
    page: Page
    folder: Path
    errors: list[str] = field(default_factory=list)
    steps: int = 0

    def shot(self, name: str, page: Page | None = None) -> None:
        self.steps += 1
        shown = page or self.page
        shown.screenshot(path=self.folder / f"{self.steps:02d}-{name}.png", full_page=True)

    def watch(self, page: Page) -> Page:
        """Collect `page`'s console errors and uncaught exceptions into `errors`."""
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def new_tab(self) -> Page:
        return self.watch(self.page.context.new_page())

    def _console(self, kind: str, text: str) -> None:
        if kind == "error":
            self.errors.append(text)


@contextmanager
def browser(name: str, *, width: int = 1100, height: int = 900) -> Iterator[Browser]:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = chromium.new_context(
                locale="en-US", viewport={"width": width, "height": height}
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            driven = Browser(page, folder)
            page.on(
                "console",
                lambda message: (
                    driven.errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: driven.errors.append(str(error)))
            yield driven
        finally:
            chromium.close()
