"""organization.eventCursor: where a subscriber starts to miss nothing from now on."""

from __future__ import annotations

from models.events.reader import decode_event_cursor
from tests.conftest import MakeApi
from tests.invoicing.making import customers_and_add_on, invoice

CURSOR = "{ organization { eventCursor } }"


async def test_the_cursor_is_the_newest_event_of_the_callers_organization_only(
    make_api: MakeApi,
) -> None:
    mine, theirs = await make_api("Mine"), await make_api("Theirs")
    start = (await mine(CURSOR))["organization"]["eventCursor"]
    assert decode_event_cursor(start) == 0
    (customer,) = await customers_and_add_on(mine, "c")
    await invoice(mine, customer)
    await invoice(mine, customer)
    after = (await mine(CURSOR))["organization"]["eventCursor"]
    assert decode_event_cursor(after) == decode_event_cursor(start) + 2
    # Another organization's events move nobody else's cursor.
    assert (await theirs(CURSOR))["organization"]["eventCursor"] == start
