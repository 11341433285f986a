"""Webhooks: endpoints, their deliveries and attempts; queries and mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.errors import UserError, user_errors
from graph.unset import given
from models.events.reader import encode_event_cursor
from models.inputs.errors import Rejected
from models.store import tables
from models.webhooks import endpoints as webhooks


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryStatus(Enum):
    PENDING = strawberry.enum_value(
        "PENDING", description="Not delivered yet: due now, being sent, or waiting to be retried."
    )
    SUCCEEDED = strawberry.enum_value(
        "SUCCEEDED", description="The endpoint answered an attempt with a 2xx status."
    )
    FAILED = strawberry.enum_value(
        "FAILED",
        description="Every scheduled attempt failed; nothing more is sent unless "
        "retryWebhookDelivery is called.",
    )


@strawberry.type(
    description="A URL that receives the organization's events, signed per the "
    "Standard Webhooks spec. Its secret is shown only by createWebhookEndpoint "
    "and rotateWebhookEndpointSecret."
)
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="Webhook endpoint id.")
    url: str = strawberry.field(description="Where events are POSTed (http or https).")
    created_at: datetime = strawberry.field(description="When the endpoint was created.")
    updated_at: datetime = strawberry.field(description="When its URL or secret last changed.")

    @classmethod
    def of(cls, row: tables.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(row.id),
            url=row.url,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(description="One HTTP request of a delivery and how it ended.")
class WebhookAttempt:
    started_at: datetime = strawberry.field(description="When the request started.")
    finished_at: datetime = strawberry.field(
        description="When the answer came, or the request failed."
    )
    status_code: int | None = strawberry.field(
        description="HTTP status of the answer; null when none came (timeout, refused "
        "connection, refused address)."
    )
    error: str | None = strawberry.field(
        description="Why the attempt failed (for a non-2xx answer, the start of its body); "
        "null on success."
    )

    @classmethod
    def of(cls, row: tables.WebhookAttempt) -> WebhookAttempt:
        return cls(
            started_at=row.started_at,
            finished_at=row.finished_at,
            status_code=row.status_code,
            error=row.error,
        )


@strawberry.type(
    description="One event on its way to one endpoint. At least once: its id is "
    "the `webhook-id` header of every attempt, for receivers to drop duplicates."
)
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="Delivery id, sent as the `webhook-id` header; the same on every retry."
    )
    status: WebhookDeliveryStatus = strawberry.field(description="Where the delivery stands.")
    attempt_count: int = strawberry.field(description="Attempts made so far.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due; while an attempt is in flight, when its "
        "claim runs out. Null once SUCCEEDED or FAILED."
    )
    sending: bool = strawberry.field(description="An attempt is in flight right now.")
    created_at: datetime = strawberry.field(description="When the event was recorded.")
    updated_at: datetime = strawberry.field(description="When the delivery last changed.")
    endpoint_id: strawberry.Private[str]
    event_id: strawberry.Private[int]

    async def _event(self, info: Info) -> webhooks.EventSummary:
        loader = info.context.loaders.of(webhooks.events_by_id, None)
        event = await loader.load(self.event_id)
        assert event is not None, "a delivery's event is never deleted"
        return event

    @strawberry.field(description="Type of the event, e.g. `invoice.one_off_created`.")
    async def webhook_type(self, info: Info) -> str:
        return (await self._event(info)).webhook_type

    @strawberry.field(description="The invoice the event is about.")
    async def invoice_id(self, info: Info) -> strawberry.ID:
        return strawberry.ID((await self._event(info)).object_id)

    @strawberry.field(
        description="The event's cursor, as invoiceCreated gives it: pass it as `after` to "
        "replay what followed."
    )
    async def event_cursor(self, info: Info) -> str:
        return encode_event_cursor((await self._event(info)).sequence)

    @strawberry.field(description="The endpoint this delivery goes to.")
    async def endpoint(self, info: Info) -> WebhookEndpoint:
        loader = info.context.loaders.of(webhooks.endpoints_by_id, None)
        row = await loader.load(self.endpoint_id)
        assert row is not None, "deleting an endpoint deletes its deliveries"
        return WebhookEndpoint.of(row)

    @strawberry.field(description="Every attempt so far, oldest first.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        loader = info.context.loaders.of(
            webhooks.attempts_of_deliveries, list[tables.WebhookAttempt]()
        )
        return [WebhookAttempt.of(row) for row in await loader.load(str(self.id))]

    @classmethod
    def of(cls, row: tables.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(row.id),
            status=WebhookDeliveryStatus(row.status),
            attempt_count=row.attempt_count,
            next_attempt_at=row.next_attempt_at,
            sending=webhooks.is_sending(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
            endpoint_id=row.endpoint_id,
            event_id=row.event_id,
        )


@strawberry.input(description="A new webhook endpoint.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(
        description="http or https URL, at most 2048 characters. Private, loopback and "
        "link-local addresses are refused unless the server allows them."
    )


@strawberry.input(description="Changes to a webhook endpoint; omitted fields stay.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="The endpoint to change.")
    url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="New URL; pending deliveries go to it from their next attempt.",
    )


@strawberry.type(description="Result of createWebhookEndpoint.")
class CreateWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="Null on failure.")
    secret: str | None = strawberry.field(
        description="The signing secret (`whsec_…`), shown this once: keep it to verify signatures."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="Result of rotateWebhookEndpointSecret.")
class RotateWebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(description="Null on failure.")
    secret: str | None = strawberry.field(
        description="The new signing secret, shown this once; the old one stops signing now."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="Result of updateWebhookEndpoint or deleteWebhookEndpoint.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        description="The endpoint as changed (or as it was before deletion); null on failure."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type(description="Result of retryWebhookDelivery.")
class WebhookDeliveryPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(description="Null on failure.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was written.")


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The organization's webhook endpoints, newest first.")
    async def webhook_endpoints(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookEndpoint]:
        return await paged(
            info, webhooks.list_endpoints, WebhookEndpoint.of, first=first, after=after
        )

    @strawberry.field(
        description="Deliveries of events to endpoints, newest first, with their "
        "attempts; `status` and `endpointId` narrow the list."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: WebhookDeliveryStatus | None = None,
        endpoint_id: strawberry.ID | None = None,
    ) -> Connection[WebhookDelivery]:
        return await paged(
            info,
            webhooks.list_deliveries,
            WebhookDelivery.of,
            first=first,
            after=after,
            status=status.name if status else None,
            endpoint_id=endpoint_id,
        )


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Add an endpoint (at most 10 per organization). Every "
        "event from now on is delivered to it; the secret is in the payload, "
        "once."
    )
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointPayload:
        try:
            result = await webhooks.create_endpoint(
                info.context.db,
                info.context.organization_id,
                input.url,
                allow_private=info.context.settings.webhook_allow_private_urls,
            )
        except Rejected as rejected:
            errors = user_errors(rejected.errors)
            return CreateWebhookEndpointPayload(
                webhook_endpoint=None, secret=None, user_errors=errors
            )
        endpoint = WebhookEndpoint.of(result.endpoint)
        return CreateWebhookEndpointPayload(
            webhook_endpoint=endpoint, secret=result.secret, user_errors=[]
        )

    @strawberry.mutation(description="Change an endpoint's URL.")
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointPayload:
        try:
            row = await webhooks.update_endpoint(
                info.context.db,
                info.context.organization_id,
                str(input.id),
                given(input, skip=("id",)),  # type: ignore[arg-type]
                allow_private=info.context.settings.webhook_allow_private_urls,
            )
        except Rejected as rejected:
            return WebhookEndpointPayload(
                webhook_endpoint=None, user_errors=user_errors(rejected.errors)
            )
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.of(row), user_errors=[])

    @strawberry.mutation(
        description="Delete an endpoint, together with its deliveries and their attempts. "
        "Nothing more is sent to it; an attempt already in flight still finishes."
    )
    async def delete_webhook_endpoint(
        self, info: Info, id: strawberry.ID
    ) -> WebhookEndpointPayload:
        try:
            row = await webhooks.delete_endpoint(
                info.context.db, info.context.organization_id, str(id)
            )
        except Rejected as rejected:
            return WebhookEndpointPayload(
                webhook_endpoint=None, user_errors=user_errors(rejected.errors)
            )
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.of(row), user_errors=[])

    @strawberry.mutation(
        description="Give an endpoint a new signing secret, returned once; "
        "every attempt from now on is signed with it."
    )
    async def rotate_webhook_endpoint_secret(
        self, info: Info, id: strawberry.ID
    ) -> RotateWebhookEndpointSecretPayload:
        try:
            result = await webhooks.rotate_secret(
                info.context.db, info.context.organization_id, str(id)
            )
        except Rejected as rejected:
            errors = user_errors(rejected.errors)
            return RotateWebhookEndpointSecretPayload(
                webhook_endpoint=None, secret=None, user_errors=errors
            )
        endpoint = WebhookEndpoint.of(result.endpoint)
        return RotateWebhookEndpointSecretPayload(
            webhook_endpoint=endpoint, secret=result.secret, user_errors=[]
        )

    @strawberry.mutation(
        description="Send a delivery again now, whatever its status. An "
        "attempt already in flight is not doubled: if it fails, the retry "
        "follows it at once; if it succeeds, it answers the retry."
    )
    async def retry_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDeliveryPayload:
        try:
            row = await webhooks.retry_delivery(
                info.context.db, info.context.organization_id, str(id)
            )
        except Rejected as rejected:
            return WebhookDeliveryPayload(
                webhook_delivery=None, user_errors=user_errors(rejected.errors)
            )
        return WebhookDeliveryPayload(webhook_delivery=WebhookDelivery.of(row), user_errors=[])
