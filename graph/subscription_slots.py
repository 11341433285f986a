"""How many live subscriptions each organization holds on this process, under a cap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

LIMIT_REACHED = "LIMIT_REACHED"


class SubscriptionSlots:
    """Counted per organization, whatever key or socket opened them: ten sockets of a
    hundred listeners on one key are one tenant's thousand."""

    def __init__(self, per_organization: int) -> None:
        self.per_organization = per_organization
        self._taken: Counter[str] = Counter()

    def taken(self, organization_id: str) -> int:
        return self._taken[organization_id]

    @contextmanager
    def hold(self, organization_id: str) -> Iterator[None]:
        # No await between the check and the increment: the event loop cannot interleave.
        if self._taken[organization_id] >= self.per_organization:
            raise GraphQLError(
                f"Your organization already has {self.per_organization} live subscriptions "
                "on this server (ONEOFF_MAX_SUBSCRIPTIONS_PER_ORGANIZATION): end one first.",
                extensions={"code": LIMIT_REACHED},
            )
        self._taken[organization_id] += 1
        try:
            yield
        finally:
            self._taken[organization_id] -= 1
            if not self._taken[organization_id]:
                del self._taken[organization_id]
