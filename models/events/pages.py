"""Pages of the outbox, in sequence order: the reads that the hub and a listener on its own
cursor share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import bindparam, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from models.store.tables import Event

PAGE = 100

T = TypeVar("T")
# Batch loader of the objects a page of events is about, by object id: one query a page.
Load = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, T]]]


async def latest_sequence(session: AsyncSession, organization_id: str) -> int:
    found = await session.scalar(
        select(func.max(Event.sequence)).where(Event.organization_id == organization_id)
    )
    return int(found or 0)


async def events_after(
    session: AsyncSession,
    organization_id: str,
    sequence: int,
    *,
    types: Collection[str] | None = None,
    customer_id: str | None = None,
    limit: int = PAGE,
    through: int | None = None,
) -> list[Event]:
    """The organization's events after `sequence`, in order; of those types (names) and that
    customer only, when given; up to `through` included, when given."""
    query = _events_after(through is not None, types is not None, customer_id is not None)
    params = {
        "organization_id": organization_id,
        "sequence": sequence,
        "limit": limit,
        "through": through,
        "types": list(types or ()),
        "customer_id": customer_id,
    }
    return list(await session.exec(query, params=params))


# Built once per shape: the hub polls every second, and building the statement was most of
# what an idle poll cost.
_SHAPES: dict[tuple[bool, bool, bool], SelectOfScalar[Event]] = {}


def _events_after(through: bool, types: bool, customer: bool) -> SelectOfScalar[Event]:
    query = _SHAPES.get((through, types, customer))
    if query is None:
        query = (
            select(Event)
            .where(
                col(Event.organization_id) == bindparam("organization_id"),
                col(Event.sequence) > bindparam("sequence"),
            )
            .order_by(col(Event.sequence))
            .limit(bindparam("limit"))
        )
        if through:
            query = query.where(col(Event.sequence) <= bindparam("through"))
        if types:
            query = query.where(col(Event.webhook_type).in_(bindparam("types", expanding=True)))
        if customer:
            query = query.where(col(Event.customer_id) == bindparam("customer_id"))
        _SHAPES[(through, types, customer)] = query
    return query


async def load_objects(
    session: AsyncSession, load: Load[Any] | None, events: Sequence[Event]
) -> Mapping[str, Any]:
    """The objects `events` are about, in one query; nothing without a loader or events."""
    if load is None or not events:
        return {}
    return await load(session, list(dict.fromkeys(event.object_id for event in events)))
