"""Turning a Strawberry input into the dict of fields the caller actually sent."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

import strawberry


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def given(input: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fields left out are absent from the dict; an explicit null is present as None."""
    return {
        field.name: _plain(getattr(input, field.name))
        for field in dataclasses.fields(input)
        if field.name not in skip and getattr(input, field.name) is not strawberry.UNSET
    }
