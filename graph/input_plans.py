"""Input objects built from a plan made once per class, through Strawberry's `from_input`
hook: otherwise Strawberry works out the type, the GraphQL name and the kind of conversion of
every field of every input on every request, which cost a tenth of a createOneOffInvoice's
CPU.

The plan does what Strawberry's own conversion does (strawberry/types/arguments.py): fields
without a default start as None; each field the value holds is converted by what its type
is, decided once: a scalar or an enum as it is (graphql-core has parsed it already), a list
of them copied, an input object (or a list of them) through its own plan; any other type
through Strawberry's conversion. Then the class is called with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any, TypeGuard

import strawberry
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import has_enum_definition
from strawberry.types.unset import UNSET

# A field's conversion: its value, the input's context, the field's GraphQL name.
Convert = Callable[[Any, InputContext, str], Any]


@dataclass(frozen=True)
class _Plan:
    implicit: dict[str, None]  # python names of the fields without a default
    fields: tuple[tuple[str, str, Convert], ...]  # graphql name, python name, conversion


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
    for graphql_name, python_name, convert in plan.fields:
        if graphql_name in value:
            kwargs[python_name] = convert(value[graphql_name], context, graphql_name)
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
            _conversion(field.resolve_type(type_definition=definition), context),
        )
        for field in definition.fields
    )
    return _Plan(implicit, fields)


def _conversion(type_: StrawberryType | type, context: InputContext) -> Convert:
    def strawberrys(value: Any, context: InputContext, name: str) -> Any:
        return context.convert(value, type_, name)

    if isinstance(type_, StrawberryMaybe):
        return strawberrys  # Some(...) wrapping: left to Strawberry
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    if _is_leaf(inner, context):
        return _as_it_is
    if isinstance(inner, StrawberryList):
        item = (
            inner.of_type.of_type
            if isinstance(inner.of_type, StrawberryOptional)
            else inner.of_type
        )
        if _is_leaf(item, context):
            return _copied
        if _is_planned_input(item):
            return _inputs_of(item)
        return strawberrys
    if _is_planned_input(inner):
        return _input_of(inner)
    return strawberrys


def _is_leaf(type_: Any, context: InputContext) -> bool:
    if isinstance(type_, StrawberryMaybe) or type_ is GlobalID:
        return False
    return is_scalar(type_, context.scalar_registry) or has_enum_definition(type_)


def _is_planned_input(type_: Any) -> TypeGuard[type]:
    definition = getattr(type_, "__strawberry_definition__", None)
    return (
        isinstance(definition, StrawberryObjectDefinition)
        and definition.is_input
        and definition.from_input is _from_input
    )


def _as_it_is(value: Any, context: InputContext, name: str) -> Any:
    return value


def _copied(value: Any, context: InputContext, name: str) -> Any:
    # Copied, as Strawberry does: graphql-core hands every request that omits the value the
    # same default list.
    return value if value is None or value is UNSET else list(value)


def _input_of(cls: type) -> Convert:
    def convert(value: Any, context: InputContext, name: str) -> Any:
        if value is None or value is UNSET:
            return value
        return _from_input(cls, value, _nested(context, name))

    return convert


def _inputs_of(cls: type) -> Convert:
    def convert(value: Any, context: InputContext, name: str) -> Any:
        if value is None or value is UNSET:
            return value
        return [
            None if item is None else _from_input(cls, item, _nested(context, name, index))
            for index, item in enumerate(value)
        ]

    return convert


def _nested(context: InputContext, *keys: str | int) -> InputContext:
    return InputContext(
        info=context.info,
        config=context.config,
        scalar_registry=context.scalar_registry,
        path=(*context.path, *keys),
    )
