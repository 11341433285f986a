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
    Visitor,
    visit,
)
from strawberry.extensions import AddValidationRules, SchemaExtension, ValidationCache
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from graph.document_memo import per_document

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


@per_document
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
