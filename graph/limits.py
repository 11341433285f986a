"""Limits on documents: depth, aliases, breadth, all checked before or during validation.

Validation compares every pair of fields of a selection set to see if they can be merged:
quadratic, so a few thousand tokens of `{ a a a … }` cost a second of CPU. The breadth cap
refuses such a document before that work starts. The depth and alias rules are built once,
so that a validated document is found in the validation cache on the next request.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    GraphQLError,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    visit,
)
from strawberry.extensions import AddValidationRules, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 4000
MAX_SELECTIONS = 100

_DEPTH_RULE = depth_rule(MAX_DEPTH, None, None)
_ALIAS_RULE = alias_rule(MAX_ALIASES)


class DocumentLimits(AddValidationRules):
    def __init__(self) -> None:
        super().__init__([_DEPTH_RULE, _ALIAS_RULE])


class _Widest(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.widest = 0

    def enter_selection_set(self, node: SelectionSetNode, *_: object) -> None:
        self.widest = max(self.widest, len(node.selections))


def widest_selection_set(document: DocumentNode) -> int:
    visitor = _Widest()
    visit(document, visitor)
    return visitor.widest


class SelectionBreadthLimiter(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None and widest_selection_set(document) > MAX_SELECTIONS:
            # Set before validation runs: Strawberry then skips validating this document.
            self.execution_context.pre_execution_errors = [
                GraphQLError(
                    f"A selection set may hold at most {MAX_SELECTIONS} selections.",
                    extensions={"code": "GRAPHQL_VALIDATION_FAILED"},
                )
            ]
        yield


class CachedValidation(ValidationCache):
    """Strawberry's cache, except that a document already refused is not validated at all."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors is not None:
            yield
            return
        yield from super().on_validate()


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class _NulInLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.found = self.found or "\x00" in node.value


class RefuseNulCharacters(SchemaExtension):
    """PostgreSQL cannot store U+0000 in text, SQLite can: refused everywhere alike, with a
    clear answer, rather than an internal error on one engine only."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        literals = _NulInLiterals()
        if context.graphql_document is not None:
            visit(context.graphql_document, literals)
        if context.pre_execution_errors is None and (literals.found or _has_nul(context.variables)):
            context.pre_execution_errors = [
                GraphQLError(
                    "Strings must not contain the NUL character (U+0000).",
                    extensions={"code": "BAD_USER_INPUT"},
                )
            ]
        yield
