"""Floor of invoiceCreated: a bare queue-per-listener fan-out over graphql-transport-ws.

Each listener of `invoiceCreated` owns an asyncio.Queue; `createOneOffInvoice` builds one
event and puts it on every queue, then answers. The event has the fields the bench's
listeners select (bench/queries.py LISTEN), so both servers get the same subscription.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator

import strawberry
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from bench.floors.common import health_route, serve

listeners: set[asyncio.Queue[InvoiceEvent]] = set()
numbers = itertools.count(1)


@strawberry.type
class Fee:
    amount_cents: str


@strawberry.type
class Invoice:
    id: strawberry.ID
    number: str
    total_amount_cents: str
    fees: list[Fee]


@strawberry.type
class InvoiceEvent:
    cursor: str
    invoice: Invoice


@strawberry.type
class Payload:
    invoice: Invoice


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_one_off_invoice(self) -> Payload:
        n = next(numbers)
        invoice = Invoice(
            id=strawberry.ID(f"00000000-0000-4000-8000-{n:012d}"),
            number=f"BEN-0001-{n:06d}",
            total_amount_cents="3601",
            fees=[Fee(amount_cents="3000"), Fee(amount_cents="1")],
        )
        event = InvoiceEvent(cursor=f"e{n}", invoice=invoice)
        for queue in listeners:
            queue.put_nowait(event)
        return Payload(invoice=invoice)


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def invoice_created(self) -> AsyncGenerator[InvoiceEvent, None]:
        queue: asyncio.Queue[InvoiceEvent] = asyncio.Queue()
        listeners.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            listeners.discard(queue)


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
view: GraphQL[None, None] = GraphQL(
    schema,
    subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    max_subscriptions_per_connection=None,
)
app = Starlette(routes=[health_route(), Route("/graphql", view), WebSocketRoute("/graphql", view)])

if __name__ == "__main__":
    serve(app)
