"""In-process wake-ups for readers of the outbox and senders of webhooks; the database stays
the source of truth."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    """Readers take a token before they query and wait on it after; a notify in between is
    not lost, because it sets the very event the token holds."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def token(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    @staticmethod
    async def wait(token: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(token.wait(), seconds)
