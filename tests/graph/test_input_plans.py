"""Inputs built through their plan (graph/input_plans.py) are the inputs Strawberry builds."""

import enum
from decimal import Decimal

import pytest
import strawberry

from graph.input_plans import plan_inputs
from graph.schema import schema as product_schema


def fresh_schema() -> strawberry.Schema:
    """A schema of its own classes: a plan is set on a class's definition, which every schema
    built from that class shares."""

    @strawberry.enum
    class Colour(enum.Enum):
        RED = "red"
        BLUE = "blue"

    @strawberry.input
    class Sub:
        n: int
        colours: list[Colour] | None = None

    @strawberry.input
    class Line:
        code: str
        units: Decimal | None = None
        tags: list[str] | None = None
        colour: Colour = Colour.RED
        sub: Sub | None = None

    @strawberry.input
    class Order:
        lines: list[Line]
        note: str | None = strawberry.UNSET
        customer_id: strawberry.ID | None = None
        reference: str | None  # no default: None when the client leaves it out
        extras: list[Line | None] | None = None
        ids: list[strawberry.ID] | None = None

    @strawberry.type
    class Query:
        @strawberry.field
        def echo(self, order: Order) -> str:
            return repr(order)

    return strawberry.Schema(query=Query)


DOCUMENT = """query($o: Order!) { echo(order: $o) }"""
ORDERS = [
    {"lines": [{"code": "a"}]},
    {"lines": [{"code": "a", "units": "1.5", "tags": ["x", "y"], "colour": "BLUE"}, {"code": "b"}]},
    {"lines": [], "note": None, "customerId": "c-1", "reference": "r"},
    {"lines": [{"code": "a", "tags": None, "units": None}], "note": "n"},
    {
        "lines": [{"code": "a", "sub": {"n": 1, "colours": ["BLUE", "RED"]}}],
        "extras": [None, {"code": "x", "sub": None}, {"code": "y", "sub": {"n": 2}}],
        "ids": ["1", "2"],
    },
    {"lines": [], "extras": None, "ids": None},
]


@pytest.mark.parametrize("order", ORDERS)
def test_a_planned_input_is_the_input_strawberry_builds(order: dict[str, object]) -> None:
    plain, planned = fresh_schema(), fresh_schema()
    plan_inputs(planned)

    expected = plain.execute_sync(DOCUMENT, variable_values={"o": order})
    got = planned.execute_sync(DOCUMENT, variable_values={"o": order})

    assert expected.errors is None
    assert got.errors is None
    assert got.data == expected.data


def test_every_input_of_the_product_schema_is_planned() -> None:
    inputs = [
        concrete.definition
        for concrete in product_schema.schema_converter.type_map.values()
        if getattr(concrete.definition, "is_input", False)
    ]

    assert inputs
    assert all(getattr(d, "from_input", None) is not None for d in inputs)
