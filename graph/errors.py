"""Mutation errors as GraphQL types."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from graph.enums import graphql_enum
from models.inputs.errors import ErrorCode, InputError
from models.store.pagination import PaginationError

UserErrorCode = graphql_enum(
    ErrorCode,
    name="UserErrorCode",
    description="What was wrong with the input, for programs to branch on.",
    values={
        ErrorCode.REQUIRED: "A required value is missing or blank.",
        ErrorCode.INVALID_VALUE: "The value has the wrong form (email, timezone, URL, decimals…).",
        ErrorCode.TOO_LONG: "The text is longer than allowed.",
        ErrorCode.VALUE_OUT_OF_RANGE: "A number is negative, too large (past 64 bits), or out "
        "of its range.",
        ErrorCode.TAKEN: "Another object already uses this code or external id.",
        ErrorCode.NOT_FOUND: "No such object in your organization.",
        ErrorCode.CUSTOMER_NOT_FOUND: "No such customer in your organization.",
        ErrorCode.ADD_ON_NOT_FOUND: "No such live add-on in your organization.",
        ErrorCode.TAX_NOT_FOUND: "No tax with this code in your organization.",
        ErrorCode.API_KEY_NOT_FOUND: "No such live API key.",
        ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND: "No such webhook endpoint in your organization.",
        ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND: "No such webhook delivery in your organization.",
        ErrorCode.LIMIT_REACHED: "The organization has as many of these as it may.",
        ErrorCode.CURRENCY_MISMATCH: "The customer is billed in another currency.",
        ErrorCode.CURRENCY_REQUIRED: "The add-ons disagree on currency: give one.",
        ErrorCode.UNIT_AMOUNT_REQUIRED: "The add-on is priced in another currency: give the "
        "price in the invoice's.",
        ErrorCode.IDEMPOTENCY_KEY_REUSED: "This idempotency key was used with a different input.",
        ErrorCode.LAST_API_KEY: "The organization's last live key cannot be revoked.",
        ErrorCode.INVOICE_NOT_FOUND: "No such invoice in your organization.",
        ErrorCode.INVOICE_VOIDED: "The invoice is voided: its payment status no longer changes.",
        ErrorCode.INVOICE_NOT_VOIDABLE: "Only a PENDING or FAILED invoice that is not voided "
        "yet can be voided.",
    },
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
