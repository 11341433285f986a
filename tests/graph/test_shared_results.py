"""The listeners of one event share one execution per distinct selection: a thousand
listeners of the same subscription cost one execution of it, not a thousand."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.events.hub import hub_of
from tests.conftest import Api
from tests.events.watching import until
from tests.graph.test_subscription_hub import SUBSCRIPTION, Listening, taxed_catalog
from tests.invoicing.making import invoice

SMALL = """
subscription($after: String, $withTotal: Boolean!) {
  invoiceCreated(after: $after) { cursor invoice { id totalAmountCents @include(if: $withTotal) } }
}
"""


async def test_one_execution_per_distinct_selection(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.organization is not None
    org, hub = api.organization.id, hub_of(api.db)
    customer = await taxed_catalog(api, "c")
    executions: list[int] = []
    execute = StrawberryGraphQLCoreExecutionContext.execute_operation

    def counted(self: StrawberryGraphQLCoreExecutionContext, serially: bool | None = None) -> Any:
        if self.operation.operation == OperationType.SUBSCRIPTION:
            executions.append(1)
        return execute(self, serially)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_operation", counted)
    whole = [Listening(api, SUBSCRIPTION) for _ in range(6)]
    with_total = [Listening(api, SMALL, after=None, withTotal=True) for _ in range(3)]
    without_total = [Listening(api, SMALL, after=None, withTotal=False) for _ in range(3)]
    await until(lambda: len(hub.listeners(org)) == 12)
    first = await invoice(api, customer)
    await until(lambda: all(t.got and t.got[-1]["invoice"]["id"] == first["id"] for t in whole))
    # Resuming from a cursor chooses where a stream starts, not what an event resolves to.
    late = [
        Listening(api, SMALL, after=whole[0].got[-1]["cursor"], withTotal=True) for _ in range(3)
    ]
    listeners = whole + with_total + without_total + late
    await until(lambda: len(hub.listeners(org)) == 15)

    executions.clear()
    made = await invoice(api, customer)
    await until(lambda: all(t.got and t.got[-1]["invoice"]["id"] == made["id"] for t in listeners))
    # The whole selection, the small one with its total, the small one without: 15 listeners.
    assert len(executions) == 3
    assert len({repr(t.got[-1]) for t in whole}) == 1
    assert with_total[0].got[-1]["invoice"]["totalAmountCents"]
    assert "totalAmountCents" not in without_total[0].got[-1]["invoice"]
    assert {repr(t.got[-1]) for t in with_total + late} == {repr(with_total[0].got[-1])}
    assert {repr(t.got[-1]) for t in without_total} == {repr(without_total[0].got[-1])}
    for listener in listeners:
        listener.task.cancel()
    await asyncio.gather(*(t.task for t in listeners), return_exceptions=True)
