"""Floor of createOneOffInvoice: a bare Strawberry mutation that inserts one row, one commit.

    mutation { insertRow(amountCents: 3601) { id } }

DATABASE_URL picks SQLite or PostgreSQL, as for the project; the table is made at startup.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import strawberry
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, insert
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL

from bench.floors.common import Writer, database_url, health_route, serve

metadata = MetaData()
rows = Table(
    "bench_rows",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("amount_cents", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
writer = Writer(database_url())
# Built once, as a cached construct: the floor pays only for executing it.
INSERT = insert(rows)


@strawberry.type
class Row:
    id: strawberry.ID


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def insert_row(self, amount_cents: int) -> Row:
        row_id = str(uuid.uuid4())
        values = {"id": row_id, "amount_cents": amount_cents, "created_at": datetime.now(UTC)}
        async with writer.begin() as connection:
            await connection.execute(INSERT, values)
        return Row(id=strawberry.ID(row_id))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with writer.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield
    await writer.engine.dispose()


view: GraphQL[None, None] = GraphQL(strawberry.Schema(query=Query, mutation=Mutation))
app = Starlette(
    routes=[health_route(), Route("/graphql", view), WebSocketRoute("/graphql", view)],
    lifespan=lifespan,
)

if __name__ == "__main__":
    serve(app)
