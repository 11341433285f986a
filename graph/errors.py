"""Mutation errors as GraphQL types."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from models.inputs.errors import ErrorCode, InputError
from models.store.pagination import PaginationError

UserErrorCode = strawberry.enum(
    ErrorCode,
    name="UserErrorCode",
    description="What was wrong with the input, for programs to branch on.",
)


@strawberry.type(description="One reason a mutation wrote nothing.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path into the mutation's input of the offending field; null when the "
        "error is about the input as a whole."
    )
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Plain-language explanation.")

    @classmethod
    def of(cls, error: InputError) -> UserError:
        return cls(
            field=list(error.field) if error.field is not None else None,
            code=error.code,
            message=error.message,
        )


def user_errors(errors: list[InputError]) -> list[UserError]:
    return [UserError.of(error) for error in errors]


def bad_user_input(error: PaginationError) -> GraphQLError:
    return GraphQLError(str(error), extensions={"code": "BAD_USER_INPUT"})
