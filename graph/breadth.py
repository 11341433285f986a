"""A cap on selections per selection set, checked before graphql-core validates.

Validation compares every pair of fields of a selection set to see if they can be merged:
quadratic, so a few thousand tokens of `{ a a a … }` cost a second of CPU. The cap refuses
such a document before that work starts.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, SelectionSetNode, Visitor, visit
from strawberry.extensions import SchemaExtension

MAX_SELECTIONS = 100


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
