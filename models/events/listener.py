"""One listener of an organization's events: its filters, its cursor and its bounded buffer,
and the batch each event it receives came in."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import Any, Generic, NamedTuple, TypeVar, cast

from models.events.pages import Load
from models.store.tables import Event

# Events a listener may hold that it has not taken yet; past that it reads on its own.
BUFFER = 100

T = TypeVar("T")


class Batch:
    """One read of the outbox, as handed to every listener of it. Listeners may share what
    they derive from it (e.g. loaders of the objects' details) while it is the newest read of
    its organization, and only then: once the next read goes out, it is closed, so that
    nothing shared outlives it. A batch read by one listener alone is closed from the start."""

    __slots__ = ("_shared", "open")

    def __init__(self, *, shared: bool) -> None:
        self.open = shared
        self._shared: dict[type, object] = {}

    def shared(self, kind: type[T], make: Callable[[], T]) -> T:
        """The one `kind` of this batch, made on first use; a new one each call once closed."""
        if not self.open:
            return make()
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = make()
        return cast(T, found)

    def close(self) -> None:
        self.open = False
        self._shared.clear()


class Delivery(NamedTuple, Generic[T]):
    event: Event
    # What `load` found for the event; None without a loader.
    object: T
    batch: Batch


# What the hub hands the listeners of one filter: their deliveries of one read.
Offer = list[Delivery[Any]]


class Listener:
    """`seen` is the sequence up to which every event is accounted for: taken by the consumer,
    in the buffer, or not for this listener. The hub only ever appends events right after it,
    so that a listener can neither skip an event nor get one twice."""

    def __init__(
        self,
        organization_id: str,
        seen: int,
        *,
        poll_seconds: float,
        types: Collection[str] | None = None,
        customer_id: str | None = None,
        load: Load[Any] | None = None,
    ) -> None:
        self.organization_id = organization_id
        self.seen = seen
        self.poll_seconds = poll_seconds
        self.types = None if types is None else frozenset(types)
        self.customer_id = customer_id
        self.load = load
        self.buffer: deque[Delivery[Any]] = deque()
        self.bound = BUFFER
        self.attached = False
        self.ready = asyncio.Event()

    @property
    def filters(self) -> Hashable:
        """Listeners with equal filters take the same events of a read."""
        return (self.types, self.customer_id, self.load)

    def wants(self, event: Event) -> bool:
        return (self.types is None or event.webhook_type in self.types) and (
            self.customer_id is None or event.customer_id == self.customer_id
        )

    def offer(
        self,
        events: Sequence[Event],
        objects: Mapping[str, Any],
        batch: Batch,
        cache: dict[Hashable, Offer],
    ) -> bool:
        """Take what is new in one read, or nothing and False when the buffer would overflow.
        `cache` holds the deliveries already made for equal filters from the same read."""
        last = events[-1].sequence
        if self.seen >= last:
            return True
        if self.seen == events[0].sequence - 1:
            deliveries = cache.get(self.filters)
            if deliveries is None:
                deliveries = cache[self.filters] = self._select(events, objects, batch)
        else:
            # Joined after reading part of this read by itself: only what follows.
            deliveries = self._select([e for e in events if e.sequence > self.seen], objects, batch)
        if len(self.buffer) + len(deliveries) > self.bound:
            return False
        self.seen = last
        if deliveries:
            self.buffer.extend(deliveries)
            self.ready.set()
        return True

    def _select(self, events: Sequence[Event], objects: Mapping[str, Any], batch: Batch) -> Offer:
        return [
            Delivery(event, objects.get(event.object_id), batch)
            for event in events
            if self.wants(event) and (self.load is None or event.object_id in objects)
        ]

    def detach(self) -> None:
        """Off the hub: the consumer empties its buffer, then reads from `seen` on its own."""
        self.attached = False
        self.ready.set()
