"""Keyset pagination, newest first, over (created_at, id)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import read_only

MAX_PAGE_SIZE = 100
MAX_SEARCH_TERM = 255
DEFAULT_PAGE_SIZE = 20


class PaginationError(ValueError):
    """A `first` out of range or a cursor that this server did not hand out."""


class Keyed(Protocol):
    id: Any
    created_at: datetime


RowT = TypeVar("RowT", bound=Keyed)


# The size of the whole list, read in the session given: only when a caller asks for it,
# since a count(*) grows with the table where the page itself does not.
CountRows = Callable[[AsyncSession], Awaitable[int]]


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    has_next_page: bool
    has_previous_page: bool
    count: CountRows

    def cursor(self, row: RowT) -> str:
        return encode_cursor(row.created_at, str(row.id))


def encode_cursor(created_at: datetime, row_id: str) -> str:
    raw = f"{created_at.isoformat()}|{row_id}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, row_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        instant = datetime.fromisoformat(created)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise PaginationError(f"{cursor!r} is not a cursor of this list") from error
    if instant.tzinfo is None or "\x00" in row_id:
        raise PaginationError(f"{cursor!r} is not a cursor of this list")
    return instant, row_id


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise PaginationError(f"first must be between 1 and {MAX_PAGE_SIZE}")
    return size


async def paginate(
    session: AsyncSession,
    model: type[RowT],
    where: list[ColumnElement[bool]],
    *,
    first: int | None,
    after: str | None,
) -> Page[RowT]:
    """One query for the page, plus one row to see if more follow; the count is the Page's
    to read later, if at all."""
    size = page_size(first)
    created_at: Any = model.created_at
    row_id: Any = model.id

    async def count(counting: AsyncSession) -> int:
        return int(
            await counting.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )

    # Core rows (models/store/core_rows.py): a page is only read.
    table = sa_inspect(model).local_table
    statement: Select[Any] = select(table).where(*where)
    if after is not None:
        instant, cursor_id = decode_cursor(after)
        statement = statement.where(
            or_(created_at < instant, and_(created_at == instant, row_id < cursor_id))
        )
    statement = statement.order_by(created_at.desc(), row_id.desc()).limit(size + 1)
    rows = read_only(model, await session.execute(statement))
    return Page(
        rows=rows[:size],
        has_next_page=len(rows) > size,
        has_previous_page=after is not None,
        count=count,
    )


def matches_any(term: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any column; `%`, `_` and `\\` match themselves.
    A term longer than any searched value is refused: SQLite would refuse its pattern."""
    if len(term) > MAX_SEARCH_TERM:
        raise PaginationError(f"searchTerm is longer than {MAX_SEARCH_TERM} characters")
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape="\\") for column in columns))
