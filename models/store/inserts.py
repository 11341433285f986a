"""Inserting rows with Core, one statement per batch: for rows written once and not read
back in the transaction, the ORM's unit of work costs more than the database's own work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    CursorResult,
    Executable,
    Insert,
    Select,
    Table,
    bindparam,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine.default import DefaultDialect
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from models.store.core_rows import execute_core

_INSERTS: dict[Table, Insert] = {}
# Past this many values, one statement per table: PostgreSQL takes at most 32,767
# parameters in a statement, and each shape's text is kept (up to 128 of them).
MAX_VALUES_TOGETHER = 4_000
_GENERIC = DefaultDialect(paramstyle="named")
_GENERIC.supports_multivalues_insert = True


def _insert(table: Table) -> Insert:
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def table_of_model(model: type[SQLModel]) -> Table:
    table = sa_inspect(model).local_table
    assert isinstance(table, Table)
    return table


async def insert_values(
    session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert rows given as column values (every column), all in one statement."""
    if rows:
        await execute_core(session, _insert(table), rows[0] if len(rows) == 1 else list(rows))


# Compared and hashed by identity: a tail is a module's constant, and a key of the cache below.
@dataclass(frozen=True, eq=False)
class Tail:
    """More of the same statement after the rows, on PostgreSQL: further CTEs (text, which
    may name the rows' CTEs `inserted_<n>`), the final SELECT, and their typed parameters."""

    ctes: str
    select: str
    binds: tuple[BindParameter[Any], ...] = ()


async def insert_together(
    session: AsyncSession,
    parts: Sequence[tuple[Table, Sequence[Mapping[str, Any]]]],
    tail: Tail | None = None,
    tail_params: Mapping[str, Any] | None = None,
) -> CursorResult[Any] | None:
    """Insert rows of several tables, parents before children.

    PostgreSQL takes them in one statement, one data-modifying CTE per table (foreign keys are
    checked at the end of the statement, once every row is in): one round trip where there
    were one per table, and the organization's lock, when the caller holds it, held that much
    less. A `tail` rides in that statement (alone after them, past `MAX_VALUES_TOGETHER`),
    and its result is returned. SQLite has no INSERT in a WITH clause: one statement per
    table there, and None (a caller with a tail does its work itself).
    """
    parts = [(table, rows) for table, rows in parts if rows]
    values = sum(len(rows) * len(table.columns) for table, rows in parts)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if not postgresql or values > MAX_VALUES_TOGETHER or (len(parts) < 2 and tail is None):
        for table, rows in parts:
            await insert_values(session, table, rows)
        if not postgresql or tail is None:
            return None
        parts = []  # in already: the tail goes alone
    shape = tuple((table, len(rows)) for table, rows in parts)
    params = {
        _bind_name(index, number, key): value
        for index, (_table, rows) in enumerate(parts)
        for number, row in enumerate(rows)
        for key, value in row.items()
    }
    return await execute_core(session, _together(shape, tail), {**params, **(tail_params or {})})


def _bind_name(part: int, row: int, column: str) -> str:
    return f"p{part}_{row}_{column}"


@lru_cache(maxsize=128)
def _together(shape: tuple[tuple[Table, int], ...], tail: Tail | None) -> Executable:
    # Built once per shape (tables and row counts) and kept as text with typed parameters:
    # SQLAlchemy does not cache a statement with data-modifying CTEs, and compiling it anew
    # for every invoice cost more than the round trips it saves.
    binds = [
        bindparam(_bind_name(index, number, column.key), type_=column.type)
        for index, (table, count) in enumerate(shape)
        for number in range(count)
        for column in table.columns
    ]
    by_name = {bind.key: bind for bind in binds}
    ctes = [
        insert(table)
        .values(
            [
                {
                    column.key: by_name[_bind_name(index, number, column.key)]
                    for column in table.columns
                }
                for number in range(count)
            ]
        )
        .cte(f"inserted_{index}")
        for index, (table, count) in enumerate(shape)
    ]
    if tail is None:
        statement: Select[Any] = select(literal_column("1")).add_cte(*ctes)
        # Rendered generically: text() would not see its parameters through PostgreSQL's casts.
        return text(str(statement.compile(dialect=_GENERIC))).bindparams(*binds)
    if not ctes:
        sql = f"WITH {tail.ctes}\n{tail.select}"
    else:
        rendered = str(select(literal_column("1")).add_cte(*ctes).compile(dialect=_GENERIC))
        head, _, last = rendered.rpartition("SELECT 1")
        head = head.rstrip()
        # The rows' CTEs and nothing else, whatever SQLAlchemy's version renders.
        assert head.startswith("WITH "), rendered
        assert not last, rendered
        sql = f"{head},\n{tail.ctes}\n{tail.select}"
    return text(sql).bindparams(*binds, *tail.binds)
