"""Webhooks: endpoints, their deliveries and attempts, and the queries that list them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.connection import Connection, paged
from graph.context import Info
from graph.enums import DeliveryStatus
from models.events.reader import encode_event_cursor
from models.store import tables
from models.webhooks import deliveries, endpoints


@strawberry.type(
    description="A URL that receives the organization's events, signed per the "
    "Standard Webhooks spec. Its secret is shown only by createWebhookEndpoint "
    "and rotateWebhookEndpointSecret."
)
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="Webhook endpoint id.")
    url: str = strawberry.field(description="Where events are POSTed (http or https).")
    event_types: list[str] | None = strawberry.field(
        description="The event types it receives, e.g. `invoice.one_off_created`; null for "
        "every type, including types added later."
    )
    created_at: datetime = strawberry.field(description="When the endpoint was created.")
    updated_at: datetime = strawberry.field(
        description="When its URL, event types or secret last changed."
    )

    @classmethod
    def of(cls, row: tables.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(row.id),
            url=row.url,
            event_types=None if row.event_types is None else list(row.event_types),
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
    status: DeliveryStatus = strawberry.field(description="Where the delivery stands.")
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

    async def _event(self, info: Info) -> deliveries.EventSummary:
        loader = info.context.loaders.of(deliveries.events_by_id, None)
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
        loader = info.context.loaders.of(endpoints.endpoints_by_id, None)
        row = await loader.load(self.endpoint_id)
        assert row is not None, "deleting an endpoint deletes its deliveries"
        return WebhookEndpoint.of(row)

    @strawberry.field(description="Every attempt so far, oldest first.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        loader = info.context.loaders.of(
            deliveries.attempts_of_deliveries, list[tables.WebhookAttempt]()
        )
        return [WebhookAttempt.of(row) for row in await loader.load(str(self.id))]

    @classmethod
    def of(cls, row: tables.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(row.id),
            status=DeliveryStatus(row.status),
            attempt_count=row.attempt_count,
            next_attempt_at=row.next_attempt_at,
            sending=deliveries.is_sending(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
            endpoint_id=row.endpoint_id,
            event_id=row.event_id,
        )


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The organization's webhook endpoints, newest first.")
    async def webhook_endpoints(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WebhookEndpoint]:
        return await paged(
            info, endpoints.list_endpoints, WebhookEndpoint.of, first=first, after=after
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
        status: DeliveryStatus | None = None,
        endpoint_id: strawberry.ID | None = None,
    ) -> Connection[WebhookDelivery]:
        return await paged(
            info,
            deliveries.list_deliveries,
            WebhookDelivery.of,
            first=first,
            after=after,
            status=status,
            endpoint_id=endpoint_id,
        )
