"""The schema: every module's queries and mutations merged, with limits and error masking."""

from __future__ import annotations

from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from graph.add_ons import AddOnMutation, AddOnQuery
from graph.currencies import CurrencyQuery
from graph.customers import CustomerMutation, CustomerQuery
from graph.documentation import describe
from graph.enum_output import index_enum_outputs
from graph.input_plans import plan_inputs
from graph.invoice_lifecycle import InvoiceLifecycleMutation
from graph.invoice_mutations import InvoiceMutation
from graph.invoice_preview import InvoicePreviewQuery
from graph.invoice_queries import InvoiceQuery
from graph.limits import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_TOKENS,
    CachedValidation,
    DocumentLimits,
    SelectionBreadthLimiter,
)
from graph.masking import MaskUnexpectedErrors, label_refused_document
from graph.organizations import OrganizationMutation, OrganizationQuery
from graph.refusals import RefuseSubscriptionsOverHttp, RefuseUnstorableText
from graph.scalars import SCALAR_MAP
from graph.shared_results import SharedEventExecutor
from graph.subscriptions import InvoiceSubscription
from graph.taxes import TaxMutation, TaxQuery
from graph.webhook_mutations import WebhookMutation
from graph.webhooks import WebhookQuery

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "schema"]

QUERIES: tuple[type, ...] = (
    OrganizationQuery,
    CustomerQuery,
    AddOnQuery,
    TaxQuery,
    CurrencyQuery,
    InvoiceQuery,
    InvoicePreviewQuery,
    WebhookQuery,
)
MUTATIONS: tuple[type, ...] = (
    OrganizationMutation,
    CustomerMutation,
    AddOnMutation,
    TaxMutation,
    InvoiceMutation,
    InvoiceLifecycleMutation,
    WebhookMutation,
)

Query = merge_types("Query", QUERIES)
Mutation = merge_types("Mutation", MUTATIONS)
Subscription = merge_types("Subscription", (InvoiceSubscription,))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: object = None) -> None:
        """Client mistakes are not server news: they are labelled, not logged.

        MaskUnexpectedErrors logs the errors that deserve it."""
        for error in errors:
            label_refused_document(error)


def build_schema() -> strawberry.Schema:
    built = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        # Listeners of one event share one execution per selection (graph/shared_results.py).
        execution_context_class=SharedEventExecutor,
        extensions=[
            partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
            partial(ParserCache, maxsize=256),
            DocumentLimits,
            # Before the cache: a refused document must not reach validation at all.
            SelectionBreadthLimiter,
            RefuseUnstorableText,
            RefuseSubscriptionsOverHttp,
            partial(CachedValidation, maxsize=256),
            MaskUnexpectedErrors,
        ],
    )
    describe(built._schema)
    index_enum_outputs(built._schema)
    plan_inputs(built)
    return built


schema = build_schema()
