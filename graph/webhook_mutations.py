"""Webhook mutations: endpoints created, changed, deleted and re-keyed; deliveries retried."""

from __future__ import annotations

import strawberry

from graph.context import Info
from graph.errors import UserError
from graph.mutations import Changing, outcome
from graph.unset import given
from graph.webhooks import WebhookDelivery, WebhookEndpoint
from models.store import tables
from models.webhooks import deliveries, endpoints


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="http or https URL, at most 2048 characters. Private, loopback and "
        "link-local addresses are refused unless the server allows them."
    )
    event_types: list[str] | None = strawberry.field(
        default=None,
        description="The event types it receives, e.g. `invoice.one_off_created`; duplicates "
        "are dropped. Null or omitted: every type, including types added later. An empty "
        "list or an unknown type is refused.",
    )


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay.")
class UpdateWebhookEndpointInput(Changing):
    id: strawberry.ID = strawberry.field(description="The endpoint to change.")
    url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New URL; pending deliveries go to it from their next attempt.",
    )
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The event types it receives from now on, replacing the old ones: a list "
        "for those only, null for every type (including types added later), omitted to keep "
        "them. Deliveries already made stay.",
    )

    def to_fields(self) -> endpoints.EndpointFields:
        return given(endpoints.EndpointFields(url=self.url, event_types=self.event_types))


@strawberry.type(description="Result of createWebhookEndpoint.")
class CreateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="Null on failure."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (`whsec_…`), shown this once: keep it to verify "
        "signatures.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, created: endpoints.EndpointWithSecret) -> CreateWebhookEndpointPayload:
        return cls(webhook_endpoint=WebhookEndpoint.of(created.endpoint), secret=created.secret)


@strawberry.type(description="Result of rotateWebhookEndpointSecret.")
class RotateWebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="Null on failure."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The new signing secret, shown this once; the old one stops signing now.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, rotated: endpoints.EndpointWithSecret) -> RotateWebhookEndpointSecretPayload:
        return cls(webhook_endpoint=WebhookEndpoint.of(rotated.endpoint), secret=rotated.secret)


@strawberry.type(description="Result of updateWebhookEndpoint or deleteWebhookEndpoint.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None,
        description="The endpoint as changed (or as it was before deletion); null on failure.",
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.WebhookEndpoint) -> WebhookEndpointPayload:
        return cls(webhook_endpoint=WebhookEndpoint.of(row))


@strawberry.type(description="Result of retryWebhookDelivery.")
class WebhookDeliveryPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="Null on failure."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing was written."
    )

    @classmethod
    def of(cls, row: tables.WebhookDelivery) -> WebhookDeliveryPayload:
        return cls(webhook_delivery=WebhookDelivery.of(row))


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Add an endpoint (at most 10 per organization). Every "
        "event of its eventTypes (all, unless given) from now on is delivered to it; "
        "the secret is in the payload, once."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        context = info.context
        return await outcome(
            CreateWebhookEndpointPayload,
            endpoints.create_endpoint(
                context.db,
                context.organization_id,
                input.url,
                allow_private=context.settings.webhook_allow_private_urls,
                event_types=input.event_types,
            ),
        )

    @strawberry.mutation(description="Change an endpoint's URL or the event types it receives.")
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        context = info.context
        return await outcome(
            WebhookEndpointPayload,
            endpoints.update_endpoint(
                context.db,
                context.organization_id,
                str(input.id),
                input.to_fields(),
                allow_private=context.settings.webhook_allow_private_urls,
            ),
        )

    @strawberry.mutation(
        description="Delete an endpoint, together with its deliveries and their attempts. "
        "Nothing more is sent to it; an attempt already in flight still finishes."
    )
    async def delete_webhook_endpoint(
        self, info: Info, id: strawberry.ID
    ) -> WebhookEndpointPayload:
        context = info.context
        return await outcome(
            WebhookEndpointPayload,
            endpoints.delete_endpoint(context.db, context.organization_id, str(id)),
        )

    @strawberry.mutation(
        description="Give an endpoint a new signing secret, returned once; "
        "every attempt from now on is signed with it."
    )
    async def rotate_webhook_endpoint_secret(
        self, info: Info, id: strawberry.ID
    ) -> RotateWebhookEndpointSecretPayload:
        context = info.context
        return await outcome(
            RotateWebhookEndpointSecretPayload,
            endpoints.rotate_secret(context.db, context.organization_id, str(id)),
        )

    @strawberry.mutation(
        description="Send a delivery again now, whatever its status. An "
        "attempt already in flight is not doubled: if it fails, the retry "
        "follows it at once; if it succeeds, it answers the retry."
    )
    async def retry_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDeliveryPayload:
        context = info.context
        return await outcome(
            WebhookDeliveryPayload,
            deliveries.retry_delivery(context.db, context.organization_id, str(id)),
        )
