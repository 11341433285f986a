"""Enum answers by lookup (graph/enum_output.py) give what Strawberry's own scan gives."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from graph.enums import InvoiceStatus
from graph.scalars import CurrencyCode
from graph.schema import schema


def _enum_types() -> list[CustomGraphQLEnumType]:
    return [t for t in schema._schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]


def test_every_enum_of_the_schema_is_indexed() -> None:
    types = _enum_types()
    assert {"CurrencyCode", "InvoiceStatus", "PaymentStatus"} <= {t.name for t in types}
    for enum_type in types:
        # The instance's own attribute, not the class's scan.
        assert "coerce_output_value" in vars(enum_type), enum_type.name


@pytest.mark.parametrize("enum_type", _enum_types(), ids=lambda t: t.name)
def test_each_member_answers_the_name_strawberry_would(enum_type: CustomGraphQLEnumType) -> None:
    members: list[object] = list(enum_type.wrapped_cls)
    for member in members:
        assert enum_type.coerce_output_value(member) == CustomGraphQLEnumType.coerce_output_value(
            enum_type, member
        )
        assert enum_type.serialize(member) == enum_type.coerce_output_value(member)


def test_a_value_that_is_no_member_is_still_refused() -> None:
    currency = schema._schema.type_map["CurrencyCode"]
    assert isinstance(currency, CustomGraphQLEnumType)
    assert currency.coerce_output_value(CurrencyCode["EUR"]) == "EUR"
    with pytest.raises(GraphQLError):
        currency.coerce_output_value("XXXY")
    status = schema._schema.type_map["InvoiceStatus"]
    assert isinstance(status, CustomGraphQLEnumType)
    with pytest.raises(GraphQLError):
        status.coerce_output_value(CurrencyCode["EUR"])
    assert status.coerce_output_value(InvoiceStatus.VOIDED) == "VOIDED"
