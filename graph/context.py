"""What every resolver can reach: the database, the caller's organization, the loaders."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info as StrawberryInfo

from graph.loaders import Loaders
from graph.subscription_slots import SubscriptionSlots
from models.store.db import Database
from models.store.settings import Settings
from models.store.tables import Organization

UNAUTHENTICATED = "UNAUTHENTICATED"
# Set by a subscription while one of its events is resolved: the loaders every listener of
# that event's batch shares. A context variable, so that it reaches only the task of that
# operation, not the other operations of the same connection, which share the Context.
batch_loaders: ContextVar[Loaders | None] = ContextVar("batch_loaders", default=None)


def unauthenticated() -> GraphQLError:
    return GraphQLError(
        "A valid API key is required: send the header Authorization: Bearer <key>.",
        extensions={"code": UNAUTHENTICATED},
    )


@dataclass
class Context:
    db: Database
    settings: Settings
    request_id: str
    organization: Organization | None = None
    _loaders: Loaders = field(init=False, repr=False)
    connection_params: dict[str, Any] | None = None
    # Kept for long-lived WebSocket operations, which check now and then that it still works.
    api_key: str | None = None
    # Document link tokens by invoice id, with when they were signed: an invoice's fileUrl
    # and ublUrl in one answer differ by their path alone, whatever second each is resolved
    # in (graph/documents.py). A WebSocket's context lives as long as its connection.
    document_tokens: dict[str, tuple[str, float]] = field(default_factory=dict, repr=False)
    # Strawberry writes the request/response objects here; the view needs somewhere to put them.
    request: Any = None
    response: Any = None
    # The view shares one across the process; a context made on its own gets its own.
    shared_slots: SubscriptionSlots | None = None
    subscription_slots: SubscriptionSlots = field(init=False)

    def __post_init__(self) -> None:
        self._loaders = Loaders(self.db)
        self.subscription_slots = self.shared_slots or SubscriptionSlots(
            self.settings.max_subscriptions_per_organization
        )

    @property
    def loaders(self) -> Loaders:
        return batch_loaders.get() or self._loaders

    @property
    def organization_id(self) -> str:
        if self.organization is None:
            raise unauthenticated()
        return self.organization.id


Info = StrawberryInfo[Context, None]
