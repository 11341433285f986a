"""invoiceCreated and invoiceEvents: replay from a cursor, then follow invoice events live."""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

from graph.context import Info, batch_loaders, unauthenticated
from graph.errors import bad_user_input
from graph.invoices import Invoice
from graph.loaders import Loaders
from graph.shared_results import Results
from models.catalog.customers import find_customer
from models.events.pages import latest_sequence
from models.events.reader import decode_event_cursor, encode_event_cursor, listen
from models.events.types import EVENT_TYPES, INVOICE_ONE_OFF_CREATED
from models.invoicing.reads import invoices_with_parts
from models.organizations.api_keys import authenticate
from models.store.pagination import PaginationError


@strawberry.type(description="An invoice event, as announced by the outbox.")
class InvoiceEvent:
    cursor: str = strawberry.field(
        description="Position of this event; pass it as `after` to resume after it."
    )
    webhook_type: str = strawberry.field(
        description="What happened, as the webhook's `webhook_type`: invoice.one_off_created "
        "(always, from invoiceCreated), invoice.payment_status_updated or invoice.voided."
    )
    occurred_at: datetime = strawberry.field(description="When the change was committed.")
    invoice: Invoice = strawberry.field(
        description="The invoice, as it is when the event is delivered (a replayed event "
        "shows the invoice's current state; the webhook body holds it as of the event)."
    )
    # One per event for all the listeners of its batch: see graph/shared_results.py.
    shared_results: strawberry.Private[Results] = dataclasses.field(default_factory=dict)


class _BatchEvents(dict[int, InvoiceEvent]):
    """The events of one batch, by sequence: every listener of the batch yields the same."""


@strawberry.type
class InvoiceSubscription:
    @strawberry.subscription(
        description="New invoices of your organization (optionally of one customer), in order. "
        "With `after`, the events after that cursor are replayed first, then live ones follow, "
        "with no gap and no duplicate. A slow listener is paced, never dropped: it reads from "
        "its own cursor and holds at most one page (100 events) in memory. An organization "
        "holds at most ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION (100 by default) live "
        "subscriptions per server process, all keys and sockets together: past that, one "
        "ends at once with LIMIT_REACHED. Served over WebSocket only (graphql-transport-ws)."
    )
    async def invoice_created(
        self, info: Info, customer_id: strawberry.ID | None = None, after: str | None = None
    ) -> AsyncGenerator[InvoiceEvent, None]:
        async with aclosing(
            _events(info, customer_id, after, {INVOICE_ONE_OFF_CREATED.name})
        ) as events:
            async for event in events:
                yield event

    @strawberry.subscription(
        description="Every event of your organization's invoices (optionally of one customer, "
        "of some types), in order: invoice.one_off_created, invoice.payment_status_updated, "
        "invoice.voided. Same cursors, resume guarantee, pacing and limits as invoiceCreated."
    )
    async def invoice_events(
        self,
        info: Info,
        customer_id: strawberry.ID | None = None,
        types: Annotated[
            list[str] | None,
            strawberry.argument(
                description="The event types to receive (webhookType values); null for all."
            ),
        ] = None,
        after: str | None = None,
    ) -> AsyncGenerator[InvoiceEvent, None]:
        async with aclosing(_events(info, customer_id, after, _invoice_types(types))) as events:
            async for event in events:
                yield event


def _invoice_types(types: list[str] | None) -> set[str]:
    known = {name for name, kind in EVENT_TYPES.items() if kind.object_type == "invoice"}
    if types is None:
        return known
    unknown = sorted(set(types) - known)
    if unknown or not types:
        raise GraphQLError(
            f"types must name at least one of {sorted(known)}; unknown: {unknown}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return set(types)


async def _events(
    info: Info, customer_id: strawberry.ID | None, after: str | None, types: set[str]
) -> AsyncGenerator[InvoiceEvent, None]:
    context = info.context
    organization_id = context.organization_id
    db = context.db

    async def key_still_live(cache_seconds: float = 0) -> bool:
        key = context.api_key
        return (
            key is not None and await authenticate(db, key, cache_seconds=cache_seconds) is not None
        )

    # A connection outlives keys: each new operation, and a running one now and then,
    # checks that the key it was opened with has not been revoked since.
    if not await key_still_live():
        raise unauthenticated()
    try:
        start = None if after is None else decode_event_cursor(after)
        if start is not None:
            async with db.read() as session:
                if start > await latest_sequence(session, organization_id):
                    raise PaginationError(f"{after!r} is not a cursor of your events")
    except PaginationError as error:
        raise bad_user_input(error) from error
    if customer_id is not None:
        async with context.db.read() as session:
            if await find_customer(session, organization_id, customer_id=customer_id) is None:
                raise GraphQLError("No such customer.", extensions={"code": "CUSTOMER_NOT_FOUND"})
    with context.subscription_slots.hold(organization_id):
        deliveries = listen(
            db,
            organization_id,
            after=start,
            poll_seconds=context.settings.event_poll_seconds,
            types=types,
            customer_id=customer_id,
            load=invoices_with_parts,
        )
        key_checked = time.monotonic()
        async with aclosing(deliveries):
            async for delivery in deliveries:
                if time.monotonic() - key_checked > context.settings.api_key_recheck_seconds:
                    # Through the key cache: a thousand listeners on one key read it once.
                    if not await key_still_live(context.settings.api_key_cache_seconds):
                        raise unauthenticated()
                    key_checked = time.monotonic()
                event, (invoice, parts) = delivery.event, delivery.object
                # The invoice comes with its fees, taxes and customer, read once for the
                # whole batch, so they resolve without an await; what lies further (a
                # customer's taxes, a fee's add-on) goes through loaders the listeners of
                # the batch share: one event costs the same statements for one listener
                # or a thousand. They are the batch's only: an invoice's payment status and
                # its customer change after issue (see Batch).
                loaders = delivery.batch.shared(Loaders, lambda: Loaders(db))
                token = batch_loaders.set(loaders)
                try:
                    events = delivery.batch.shared(_BatchEvents, _BatchEvents)
                    shared = events.get(event.sequence)
                    if shared is None:
                        shared = events[event.sequence] = InvoiceEvent(
                            cursor=encode_event_cursor(event.sequence),
                            webhook_type=event.webhook_type,
                            occurred_at=event.occurred_at,
                            invoice=Invoice.of(invoice, parts),
                        )
                    yield shared
                finally:
                    # Closed from another task, the variable is not ours to reset.
                    with contextlib.suppress(ValueError):
                        batch_loaders.reset(token)
