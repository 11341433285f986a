"""Watching listeners and the statements they cost, without timing anything: counts only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event as sa_event

from models.store.db import Database

# A safety net for a broken hub, not a measure: every wait is for a count.
PATIENCE = 20.0


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement the process sends, on whichever engine."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    engines = {db.read_engine.sync_engine, db.write_engine.sync_engine}
    for engine in engines:
        sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            sa_event.remove(engine, "before_cursor_execute", record)


async def until(condition: Callable[[], bool]) -> None:
    """Lets the listeners and the hub run until `condition` holds; fails past PATIENCE."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.005)


class Taking:
    """A listener in a task of its own, taking every event as it comes."""

    def __init__(self, events: AsyncGenerator[Any, None]) -> None:
        self.events = events
        self.got: list[Any] = []
        self.task = asyncio.create_task(self._take())

    async def _take(self) -> None:
        async for item in self.events:
            self.got.append(item)

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.events.aclose()
