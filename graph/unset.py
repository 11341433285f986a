"""Turning a Strawberry input into the fields the caller actually sent."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry

Fields = TypeVar("Fields", bound=Mapping[str, object])


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def given(fields: Fields) -> Fields:
    """`fields` (a core TypedDict, every key optional) built from an input's attributes,
    without the ones left out: an explicit null stays, as None. Enum members become their
    values, the plain strings the core compares and stores."""
    sent: dict[str, Any] = {
        name: _plain(value) for name, value in fields.items() if value is not strawberry.UNSET
    }
    # The same TypedDict with fewer keys, which every key being optional allows.
    return cast(Fields, sent)
