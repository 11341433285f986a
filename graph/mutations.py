"""One path for every mutation: run the use-case, answer with its payload or its rejection."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol, TypeVar

import strawberry

from graph.errors import UserError, user_errors
from models.inputs.errors import Rejected

Result = TypeVar("Result", contravariant=True)
Payload = TypeVar("Payload", covariant=True)
R = TypeVar("R")
P = TypeVar("P")


class PayloadType(Protocol[Result, Payload]):
    """A payload class: built `of` what the use-case returned, or from `user_errors` alone
    (its object then defaults to null)."""

    def of(self, result: Result, /) -> Payload: ...

    def __call__(self, *, user_errors: list[UserError]) -> Payload: ...


async def outcome(payload: PayloadType[R, P], use_case: Awaitable[R]) -> P:
    """`payload.of(await use_case)`; when the use-case is Rejected (and so wrote nothing),
    the payload with its errors."""
    try:
        result = await use_case
    except Rejected as rejected:
        return payload(user_errors=user_errors(rejected.errors))
    return payload.of(result)


@strawberry.input(description="An input that changes an existing object.")
class Changing:
    """First base of Update inputs, so that `id` comes first in the SDL (Strawberry lists a
    base's fields in the order of the bases); each Update input redescribes it."""

    id: strawberry.ID = strawberry.field(description="The object to change.")
