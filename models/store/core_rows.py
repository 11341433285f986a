"""Rows read with Core for reads that only read: SQLAlchemy's ORM builds an object per row,
with its identity map and attribute instrumentation, which cost a quarter of a page of
invoices; a Core row is a tuple that answers to its column names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import Row

Model = TypeVar("Model")


def read_only(model: type[Model], rows: Iterable[Row[Any]]) -> list[Model]:
    """Core rows of `model`'s table, typed as `model`: each has the model's columns as
    attributes, converted by their column types, and nothing more (no session, no
    relationships, not writable)."""
    del model  # the type is the caller's promise: the rows come from this model's table
    return cast(list[Model], list(rows))
