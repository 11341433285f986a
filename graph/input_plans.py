"""Input objects built from a plan made once per class, through Strawberry's `from_input`
hook: otherwise Strawberry resolves the type and the GraphQL name of every field of every
input on every request, which cost a tenth of a createOneOffInvoice's CPU.

The plan does what Strawberry's own conversion does (strawberry/types/arguments.py): fields
without a default start as None, each field the value holds is converted with its resolved
type (nested inputs through their own plan), and the class is called with the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from typing import Any

import strawberry
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryObjectDefinition, StrawberryType


@dataclass(frozen=True)
class _Plan:
    implicit: dict[str, None]  # python names of the fields without a default
    fields: tuple[tuple[str, str, StrawberryType | type], ...]  # graphql name, python, type


_PLANS: dict[type, _Plan] = {}


def plan_inputs(schema: strawberry.Schema) -> None:
    """Convert every input object of `schema` through a plan."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
        ):
            definition.from_input = _from_input


def _from_input(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _plan_of(cls, context)
    kwargs: dict[str, Any] = dict(plan.implicit)
    for graphql_name, python_name, type_ in plan.fields:
        if graphql_name in value:
            kwargs[python_name] = context.convert(value[graphql_name], type_, graphql_name)
    return cls(**kwargs)


def _plan_of(cls: type, context: InputContext) -> _Plan:
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    implicit = {
        field.python_name: None
        for field in definition.fields
        if field.default_value is MISSING and field.default_factory is MISSING
    }
    fields = tuple(
        (
            context.config.name_converter.from_field(field),
            field.python_name,
            field.resolve_type(type_definition=definition),
        )
        for field in definition.fields
    )
    return _Plan(implicit, fields)
