"""Descriptions shared by many fields, filled in once after the schema is built."""

from __future__ import annotations

from graphql import GraphQLObjectType, GraphQLSchema

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
