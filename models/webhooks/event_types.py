"""The event types a webhook endpoint receives, as an integrator names them: checked against
the registry (models/events/types.py), in the order given, without repeats."""

from __future__ import annotations

from collections.abc import Sequence

from models.events.types import EVENT_TYPES
from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode


def checked_event_types(event_types: Sequence[str] | None, checks: Checks) -> list[str] | None:
    """The event types an endpoint receives: None for all of them, now and to come; else
    the names given, each in EVENT_TYPES, in the order given with duplicates dropped. An
    unknown name is INVALID_VALUE at its index in the list as given; an empty list is
    VALUE_OUT_OF_RANGE, since it would receive nothing."""
    if event_types is None:
        return None
    field = ("eventTypes",)
    if not event_types:
        checks.add(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field,
            "give at least one event type, or null for all of them",
        )
        return None
    known = ", ".join(EVENT_TYPES)
    for index, name in enumerate(event_types):
        if name not in EVENT_TYPES:
            checks.add(
                ErrorCode.INVALID_VALUE,
                (*field, str(index)),
                f"{name!r} is not an event type; the event types are {known}",
            )
    return list(dict.fromkeys(event_types))
