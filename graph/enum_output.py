"""Enum answers by lookup: the GraphQL name of an enum member found in a dict.

Strawberry's enum type finds the name to answer by scanning the enum's values in order, on
every field. CurrencyCode has some 150 of them, and a page of 50 invoices answers 150
currencies: the scan alone cost that page about a tenth of its time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from graphql import GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def index_enum_outputs(schema: GraphQLSchema) -> None:
    """Give every Strawberry enum of `schema` the lookup; what it does not know (a value
    that is not a member) still goes to Strawberry's own answer, error included."""
    for named in schema.type_map.values():
        if isinstance(named, CustomGraphQLEnumType):
            # On the instance: the class keeps Strawberry's own method, as the fallback, and
            # its `serialize` calls this one.
            named.coerce_output_value = _indexed(named)  # type: ignore[method-assign,assignment]


def _indexed(enum_type: CustomGraphQLEnumType) -> Callable[[Any], str]:
    names: dict[Hashable, str] = {}
    for name, value in enum_type.values.items():
        if isinstance(value.value, Hashable):
            names.setdefault(value.value, name)
    member_type = enum_type.wrapped_cls
    strawberrys = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> str:
        if isinstance(output_value, member_type):
            name = names.get(output_value.value)
            if name is not None:
                return name
        return strawberrys(output_value)

    return coerce_output_value
