"""Requests refused before execution for what they carry: text no database can store, and
subscriptions sent over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from graph.document_memo import per_document
from models.inputs.checks import UNSTORABLE

UNSTORABLE_TEXT_MESSAGE = (
    "Strings must be valid Unicode text: no NUL character (U+0000) and no unpaired "
    "surrogate (U+D800 to U+DFFF)."
)


def has_unstorable_text(value: object) -> bool:
    """Any string in a JSON value, keys included, that no engine stores alike.

    Iterative: the transport bounds the depth of JSON, not of values built in-process."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class _StringLiterals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.unstorable = False

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.unstorable = self.unstorable or bool(UNSTORABLE.search(node.value))


@per_document
def _has_unstorable_literal(document: DocumentNode) -> bool:
    literals = _StringLiterals()
    visit(document, literals)
    return literals.unstorable


class RefuseUnstorableText(SchemaExtension):
    """One check for every string argument, in variables and in the document alike, so that
    a new field is covered without a line of its own."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:
            document = context.graphql_document
            literal = document is not None and _has_unstorable_literal(document)
            if literal or has_unstorable_text(context.variables):
                context.pre_execution_errors = [
                    GraphQLError(UNSTORABLE_TEXT_MESSAGE, extensions={"code": "BAD_USER_INPUT"})
                ]
        yield


SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"


class RefuseSubscriptionsOverHttp(SchemaExtension):
    """A subscription sent as a POST would run once and answer null: say where it is served."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if (
            context.pre_execution_errors is None
            and context.graphql_document is not None
            and not isinstance(request, WebSocket)
            and _operation_type(context) is OperationType.SUBSCRIPTION
        ):
            context.pre_execution_errors = [
                GraphQLError(
                    "Subscriptions are served over WebSocket at /graphql, protocol "
                    "graphql-transport-ws; over HTTP, send queries and mutations only.",
                    extensions={"code": SUBSCRIPTION_OVER_HTTP},
                )
            ]
        yield


def _operation_type(context: ExecutionContext) -> OperationType | None:
    try:
        return context.operation_type
    except (CannotGetOperationTypeError, RuntimeError):
        return None  # an unknown operation name is reported on its own
