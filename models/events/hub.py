"""The process's one reader of new events: while an organization has listeners, it reads that
organization's new events once per wake-up, loads what they are about once, and hands them
to every listener; with no listeners, it does not run at all.

Listeners catch up from their own cursor before they join and whenever they fall behind
(models.events.reader.listen); the hub only serves listeners that are caught up, so that one
slow listener never holds memory for the others nor paces them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from models.events.listener import Batch, Listener, Offer
from models.events.pages import PAGE, Load, events_after, load_objects
from models.store.db import Database
from models.store.settings import Settings
from models.store.tables import Event
from models.store.wakeup import Wakeup

logger = logging.getLogger("oneoff.events")
# After a failed read, the hub tries again after this long (or the poll, if shorter).
RETRY_SECONDS = 1.0


class Channel:
    """One organization's listeners; `cursor` is the last sequence the hub handed them."""

    def __init__(self, organization_id: str, cursor: int) -> None:
        self.organization_id = organization_id
        self.cursor = cursor
        self.listeners: dict[Listener, None] = {}
        self.batch = Batch(shared=False)
        # Read at the next wake-up, even one that is not for events (see Hub.join).
        self.due = False


class Hub:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._channels: dict[str, Channel] = {}
        self._kick = Wakeup()
        self._task: asyncio.Task[None] | None = None
        self.closed = False

    def listeners(self, organization_id: str) -> list[Listener]:
        """Those the hub serves now; not those reading on their own."""
        channel = self._channels.get(organization_id)
        return [] if channel is None else list(channel.listeners)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def join(self, listener: Listener, token: asyncio.Event) -> bool:
        """Serve `listener` from now on, if it has read everything the hub has handed out.
        `token` is the wake-up it took before its last read: set, it means events may have
        committed since, which a new channel reads at once rather than at the next wake-up."""
        if self.closed:
            return False
        channel = self._channels.get(listener.organization_id)
        if channel is None:
            channel = self._channels[listener.organization_id] = Channel(
                listener.organization_id, listener.seen
            )
            if token.is_set():
                channel.due = True
                self._kick.notify()
        elif listener.seen < channel.cursor:
            return False  # what it missed is gone from the hub: it reads it itself first
        channel.listeners[listener] = None
        listener.attached = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(token), name="oneoff-event-hub")
        return True

    def leave(self, listener: Listener) -> None:
        channel = self._channels.get(listener.organization_id)
        if channel is None or listener not in channel.listeners:
            return
        del channel.listeners[listener]
        listener.detach()
        if not channel.listeners:
            channel.batch.close()
            del self._channels[listener.organization_id]
            self._kick.notify()  # so that a hub with no one left stops now

    async def close(self) -> None:
        """Stop reading; listeners still running go on from their own cursors, alone."""
        self.closed = True
        for channel in list(self._channels.values()):
            for listener in list(channel.listeners):
                self.leave(listener)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self, token: asyncio.Event | None) -> None:
        # The first listener's token, taken before its last read: a commit since then wakes
        # the first sleep at once, even one notified before this task took a token of its own.
        every = False
        while self._channels:
            events, token = token or self._db.events_committed.token(), None
            kick = self._kick.token()
            failed = False
            for channel in list(self._channels.values()):
                if every or channel.due:
                    channel.due = False
                    try:
                        await self._read(channel)
                    except Exception:
                        logger.exception("reading new events failed; trying again")
                        channel.due = failed = True
            every = await self._sleep(events, kick, RETRY_SECONDS if failed else None)

    async def _sleep(self, events: asyncio.Event, kick: asyncio.Event, cap: float | None) -> bool:
        """Until events commit, a kick, or the poll; True unless only kicked."""
        channels = self._channels.values()
        if not channels:
            return False
        poll = min(listener.poll_seconds for c in channels for listener in c.listeners)
        waits = [asyncio.ensure_future(events.wait()), asyncio.ensure_future(kick.wait())]
        try:
            await asyncio.wait(waits, timeout=min(poll, cap or poll), return_when="FIRST_COMPLETED")
        finally:
            for wait in waits:
                wait.cancel()
        return events.is_set() or not kick.is_set()

    async def _read(self, channel: Channel) -> None:
        while channel.listeners:
            async with self._db.read() as session:
                events = await events_after(session, channel.organization_id, channel.cursor)
                objects = {
                    load: await load_objects(session, load, wanted)
                    for load, wanted in _to_load(channel, events).items()
                }
            if self._channels.get(channel.organization_id) is not channel:
                return  # its last listener left while we read
            if events:
                self._deliver(channel, events, objects)
            if len(events) < PAGE:
                return

    def _deliver(
        self, channel: Channel, events: Sequence[Event], objects: Mapping[Any, Mapping[str, Any]]
    ) -> None:
        # No await from here on: a listener joining now sees the cursor and the buffers agree.
        channel.batch.close()
        batch = channel.batch = Batch(shared=True)
        channel.cursor = events[-1].sequence
        cache: dict[Hashable, Offer] = {}
        first = events[0].sequence
        for listener in list(channel.listeners):
            found = objects.get(listener.load, {})
            if listener.seen < first - 1 or not listener.offer(events, found, batch, cache):
                self.leave(listener)


def _to_load(channel: Channel, events: Sequence[Event]) -> dict[Load[Any], list[Event]]:
    """Per loader of the channel's listeners, the events read that one of them wants."""
    if not events:
        return {}
    filters: dict[Hashable, Listener] = {}
    for listener in channel.listeners:
        if listener.load is not None:
            filters.setdefault(listener.filters, listener)
    wanted: dict[Load[Any], dict[int, Event]] = {}
    for listener in filters.values():
        assert listener.load is not None
        chosen = wanted.setdefault(listener.load, {})
        chosen.update((e.sequence, e) for e in events if listener.wants(e))
    return {load: list(chosen.values()) for load, chosen in wanted.items() if chosen}


_hubs: weakref.WeakKeyDictionary[Database, Hub] = weakref.WeakKeyDictionary()


def hub_of(db: Database) -> Hub:
    """The one hub of the database's process."""
    hub = _hubs.get(db)
    if hub is None:
        hub = _hubs[db] = Hub(db)
    return hub


@asynccontextmanager
async def event_hub(db: Database, settings: Settings) -> AsyncIterator[None]:
    """A background service of the app: the hub starts with its first listener; this stops it
    with the app."""
    try:
        yield
    finally:
        await hub_of(db).close()
