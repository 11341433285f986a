"""GraphiQL is the manual: every type, field, argument and enum value says what it is."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from graph.schema import schema

BUILT_IN = {"String", "Boolean", "Int", "Float", "ID"}


def test_everything_in_the_schema_is_described() -> None:
    missing: list[str] = []
    for name, type_ in schema._schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing.extend(
                    f"{name}.{field_name}({arg})"
                    for arg, a in field.args.items()
                    if not a.description
                )
        elif isinstance(type_, GraphQLInputObjectType):
            missing.extend(f"{name}.{f}" for f, v in type_.fields.items() if not v.description)
        elif isinstance(type_, GraphQLEnumType) and name not in {"CurrencyCode"}:
            missing.extend(f"{name}.{v}" for v, d in type_.values.items() if not d.description)
        elif isinstance(type_, GraphQLScalarType):
            pass
    assert missing == [], "\n".join(missing)
