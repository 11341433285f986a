"""Unexpected errors reach the client as a reference, and the log with their traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

logger = logging.getLogger("oneoff.errors")


def _expected(error: GraphQLError) -> bool:
    # Errors without a path come from parsing, validation or variable coercion: they are
    # about the document the client sent and say nothing of the server.
    return (
        error.path is None
        or error.original_error is None
        or isinstance(error.original_error, GraphQLError)
        or bool(error.extensions and "code" in error.extensions)
    )


def label_refused_document(error: GraphQLError) -> None:
    """Documents the server refused say so in `extensions.code`, as every error here does."""
    if error.path is not None or (error.extensions and "code" in error.extensions):
        return
    code = (
        "GRAPHQL_PARSE_FAILED"
        if isinstance(error, GraphQLSyntaxError)
        else "BAD_USER_INPUT"
        if error.original_error is not None
        else "GRAPHQL_VALIDATION_FAILED"
    )
    error.extensions = {**(error.extensions or {}), "code": code}


class MaskUnexpectedErrors(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        masked: list[GraphQLError] = []
        for error in result.errors:
            if _expected(error):
                masked.append(error)
                continue
            logger.error(
                "unexpected error in request %s at %s",
                request_id,
                error.path,
                exc_info=error.original_error,
            )
            masked.append(
                GraphQLError(
                    f"Internal server error (request {request_id}).",
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                )
            )
        result.errors = masked
