"""DataLoaders, made per request: one query per kind of thing a page needs, never one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from models.store.db import Database

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchQuery = Callable[[AsyncSession, Sequence[K]], Awaitable[Mapping[K, V]]]


class Loaders:
    """One DataLoader per batch query of models; each batch reads in a session of its own,
    since loaders run concurrently and an AsyncSession must not be shared between tasks."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    def of(self, query: BatchQuery[K, V], default: V) -> DataLoader[K, V]:
        loader = self._loaders.get(query)
        if loader is None:

            async def load(keys: list[K]) -> list[V]:
                async with self._db.read() as session:
                    found = await query(session, keys)
                return [found.get(key, default) for key in keys]

            loader = DataLoader(load_fn=load)
            self._loaders[query] = loader
        return loader

    def clear(self) -> None:
        self._loaders.clear()
