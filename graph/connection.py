"""Relay connections over a models Page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from graph.context import Info
from graph.errors import bad_user_input
from models.store.pagination import CountRows, Keyed, Page, PaginationError

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT", bound=Keyed)


@strawberry.type(description="Where this page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item: pass it as `after` for the next page."
    )


@strawberry.type(description="An item and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque position of this item in the list.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, newest first.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The items alone.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    count: strawberry.Private[CountRows]

    # A count(*) grows with the table where the page does not: read only when selected.
    @strawberry.field(description="Items in the whole list, all pages; counted when selected.")
    async def total_count(self, info: Info) -> int:
        async with info.context.db.read() as session:
            return await self.count(session)

    @classmethod
    def of(cls, page: Page[RowT], convert: Callable[[RowT], NodeT]) -> Connection[NodeT]:
        edges = [Edge(cursor=page.cursor(row), node=convert(row)) for row in page.rows]
        return cls(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count=page.count,
        )


# Reads, in the page's own session, what the page's nodes will ask for, so that their
# fields find it loaded instead of each opening a transaction of their own.
Prefetch = Callable[["AsyncSession", list[RowT]], Awaitable[None]]


async def paged(
    info: Info,
    query: Callable[..., Awaitable[Page[RowT]]],
    convert: Callable[[RowT], NodeT],
    *,
    prefetch: Prefetch[RowT] | None = None,
    **filters: Any,
) -> Connection[NodeT]:
    """`query(session, organization_id, **filters)` for the caller's organization, in a
    session of its own; a bad `first` or cursor is the client's error."""
    organization_id = info.context.organization_id
    try:
        async with info.context.db.read() as session:
            page = await query(session, organization_id, **filters)
            if prefetch is not None and page.rows:
                await prefetch(session, page.rows)
    except PaginationError as error:
        raise bad_user_input(error) from error
    return Connection.of(page, convert)
