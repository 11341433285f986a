"""Descriptions shared by many fields, filled in once after the schema is built."""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLSchema

from models.inputs.errors import ErrorCode

ROOTS = {
    "Query": "Reads, always scoped to the organization of the API key.",
    "Mutation": "Writes. Each returns a payload with `userErrors`: when that list is not "
    "empty, nothing was written.",
    "Subscription": "Live streams over WebSocket (graphql-transport-ws); authenticate with "
    '{"Authorization": "Bearer <key>"} in the connection_init payload.',
}

ARGUMENTS = {
    "first": "Page size, 1 to 100 (default 20).",
    "after": "A cursor from a previous page or event: continue after it.",
    "id": "The object's id; another organization's id reads as not found.",
    "input": "The mutation's input; errors point into it by path.",
    "searchTerm": "Case-insensitive substring to look for.",
    "code": "The object's code.",
    "externalId": "Your own id of the customer.",
    "customerId": "Only this customer's.",
    "status": "Only those in this status.",
    "endpointId": "Only this webhook endpoint's.",
}

ERROR_CODES = {
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
}


def describe(schema: GraphQLSchema) -> None:
    for name, description in ROOTS.items():
        root = schema.type_map.get(name)
        if root is not None and not root.description:
            root.description = description
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
            for field in type_.fields.values():
                for arg_name, arg in field.args.items():
                    if not arg.description:
                        arg.description = ARGUMENTS.get(arg_name)
    codes = schema.type_map["UserErrorCode"]
    assert isinstance(codes, GraphQLEnumType)
    for name, value in codes.values.items():
        value.description = ERROR_CODES[ErrorCode(name)]
