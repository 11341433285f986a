"""invoiceCreated through the hub, in-process, each operation in a task of its own as the
WebSocket transport runs it: one event costs the same statements for one listener or
twenty, nested fields included, and each organization resolves its own data only."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.websockets import WebSocket
from strawberry.types import ExecutionResult

from graph.context import Context
from graph.schema import schema
from models.events.hub import hub_of
from models.events.reader import encode_event_cursor
from tests.conftest import Api, MakeApi
from tests.events.watching import statements, until
from tests.invoicing.making import customers_and_add_on, invoice

SUBSCRIPTION = """
subscription($after: String) {
  invoiceCreated(after: $after) {
    cursor
    invoice {
      id number totalAmountCents
      customer { externalId taxes { code } }
      fees { amountCents addOn { code taxes { code } } appliedTaxes { taxCode amountCents } }
      appliedTaxes { taxCode amountCents }
    }
  }
}
"""


class Listening:
    """One subscription operation, its results as they come."""

    def __init__(self, api: Api, document: str = SUBSCRIPTION, **variables: Any) -> None:
        # Minutes between key checks, a minute between polls: the statements counted are
        # the event's alone.
        settings = api.settings.model_copy(
            update={"api_key_recheck_seconds": 3600, "event_poll_seconds": 60}
        )
        self.context = Context(
            db=api.db,
            settings=settings,
            request_id="test",
            organization=api.organization,
            api_key=api.key,
        )
        # What the transport hands the context: subscriptions are refused over HTTP.
        self.context.request = WebSocket({"type": "websocket"}, _never, _never)
        self.got: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._take(document, variables))

    async def _take(self, document: str, variables: dict[str, Any]) -> None:
        results = await schema.subscribe(
            document, variable_values=variables, context_value=self.context
        )
        assert not isinstance(results, ExecutionResult), results.errors
        async for result in results:
            assert result.errors is None, result.errors
            assert result.data is not None
            self.got.append(result.data["invoiceCreated"])

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def _never(*_: Any) -> Any:
    raise AssertionError("no socket here")


async def taxed_catalog(api: Api, external_id: str) -> str:
    await api(
        'mutation { createTax(input: {code: "vat", name: "VAT", rate: "20", '
        "appliedToOrganization: true}) { userErrors { code } } }"
    )
    (customer,) = await customers_and_add_on(api, external_id)
    await invoice(api, customer)  # the customer's first invoice also sets its currency
    return customer


async def test_one_event_to_twenty_listeners_costs_what_it_costs_one(api: Api) -> None:
    assert api.organization is not None
    org, hub = api.organization.id, hub_of(api.db)
    customer = await taxed_catalog(api, "c")

    async def one_event(listeners: list[Listening]) -> list[str]:
        with statements(api.db) as seen:
            made = await invoice(api, customer)
            await until(
                lambda: all(t.got and t.got[-1]["invoice"]["id"] == made["id"] for t in listeners)
            )
        return seen

    listeners = [Listening(api)]
    await until(lambda: len(hub.listeners(org)) == 1)
    alone = await one_event(listeners)
    listeners += [Listening(api) for _ in range(19)]
    await until(lambda: len(hub.listeners(org)) == 20)
    twenty = await one_event(listeners)

    assert len(twenty) == len(alone)
    served = {repr(t.got[-1]) for t in listeners}
    assert len(served) == 1  # and every listener got the whole invoice, the same
    (event,) = [t.got[-1] for t in listeners[:1]]
    assert event["invoice"]["customer"] == {"externalId": "c", "taxes": []}
    assert [f["appliedTaxes"][0]["taxCode"] for f in event["invoice"]["fees"]] == ["vat"]
    for listening in listeners:
        await listening.stop()


async def test_listeners_of_two_organizations_resolve_their_own_data_only(
    make_api: MakeApi,
) -> None:
    a, b = await make_api("A"), await make_api("B")
    assert a.organization is not None
    assert b.organization is not None
    hub, org_a, org_b = hub_of(a.db), a.organization.id, b.organization.id
    customer_a, customer_b = await taxed_catalog(a, "of-a"), await taxed_catalog(b, "of-b")
    on_a, on_b = [Listening(a) for _ in range(3)], [Listening(b) for _ in range(3)]
    await until(lambda: len(hub.listeners(org_a)) == 3)
    await until(lambda: len(hub.listeners(org_b)) == 3)

    made = await asyncio.gather(*(invoice(x, c) for x, c in [(a, customer_a), (b, customer_b)] * 2))
    await until(lambda: all(len(t.got) == 2 for t in on_a + on_b))

    sides = [(on_a, "of-a", customer_a), (on_b, "of-b", customer_b)]
    for listeners, external_id, customer in sides:
        ours = {m["id"] for m in made if m["customer"]["id"] == customer}
        for listening in listeners:
            assert {e["invoice"]["id"] for e in listening.got} == ours
            numbers = [e["invoice"]["number"] for e in listening.got]
            assert numbers == sorted(numbers)  # in the order they were committed
            assert {e["invoice"]["customer"]["externalId"] for e in listening.got} == {external_id}
            await listening.stop()


async def test_a_cursor_past_the_newest_event_is_refused(api: Api) -> None:
    # Joined to the hub, it would hold the organization's channel ahead of every event and
    # send every other listener back to the database again and again.
    assert api.organization is not None
    context = Context(
        db=api.db,
        settings=api.settings,
        request_id="test",
        organization=api.organization,
        api_key=api.key,
    )
    context.request = WebSocket({"type": "websocket"}, _never, _never)
    results = await schema.subscribe(
        SUBSCRIPTION, variable_values={"after": encode_event_cursor(10**9)}, context_value=context
    )
    assert not isinstance(results, ExecutionResult)
    first = await results.__anext__()
    assert first.errors is not None
    assert first.errors[0].extensions == {"code": "BAD_USER_INPUT"}, first.errors
    assert hub_of(api.db).listeners(api.organization.id) == []
