"""The one mutation path: a use-case's result or rejection becomes its payload; an input
becomes the fields the caller sent; a core enum becomes a described GraphQL enum."""

from __future__ import annotations

from enum import StrEnum

import pytest
import strawberry

from graph.add_ons import UpdateAddOnInput
from graph.enums import graphql_enum
from graph.errors import UserError
from graph.mutations import outcome
from graph.scalars import currency_of
from models.inputs.errors import ErrorCode, reject


@strawberry.type
class Thing:
    name: str


@strawberry.type
class ThingPayload:
    thing: Thing | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)

    @classmethod
    def of(cls, name: str) -> ThingPayload:
        return cls(thing=Thing(name=name))


async def named(name: str) -> str:
    return name


async def refused() -> str:
    raise reject(ErrorCode.TAKEN, ("input", "code"), "code is taken")


async def broken() -> str:
    raise RuntimeError("not a rejection")


async def test_a_result_becomes_the_payload_of_it() -> None:
    payload = await outcome(ThingPayload, named("lamp"))

    assert payload == ThingPayload(thing=Thing(name="lamp"), user_errors=[])


async def test_a_rejection_becomes_user_errors_and_a_null_object() -> None:
    payload = await outcome(ThingPayload, refused())

    assert payload.thing is None
    assert payload.user_errors == [
        UserError(field=["input", "code"], code=ErrorCode.TAKEN, message="code is taken")
    ]


async def test_anything_else_is_not_a_user_error() -> None:
    with pytest.raises(RuntimeError, match="not a rejection"):
        await outcome(ThingPayload, broken())


def test_the_fields_sent_are_those_given_nulls_included_enums_as_plain_strings() -> None:
    input = UpdateAddOnInput(
        id=strawberry.ID("a"), name=None, amount_currency=currency_of("EUR"), tax_codes=[]
    )

    fields = input.to_fields()

    assert fields == {"name": None, "amount_currency": "EUR", "tax_codes": []}
    assert type(fields["amount_currency"]) is str


def test_a_core_enum_value_left_undescribed_is_refused() -> None:
    class Colour(StrEnum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match="no description for BLUE"):
        graphql_enum(Colour, description="A colour.", values={Colour.RED: "Red."})
