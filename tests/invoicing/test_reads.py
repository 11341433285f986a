"""Paging invoices newest first with `after` cursors, over the organization and one customer."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.invoicing.making import customers_and_add_on, invoice

INVOICES_PAGE = """
query($first: Int, $after: String, $customerId: ID) {
  invoices(first: $first, after: $after, customerId: $customerId) {
    totalCount
    edges { cursor node { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CUSTOMER_INVOICES_PAGE = """
query($id: ID, $first: Int, $after: String) {
  customer(id: $id) {
    invoices(first: $first, after: $after) {
      totalCount
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def walk(api: Api, query: str, root: list[str], **variables: Any) -> list[list[str]]:
    """Every page of 2, each fetched with the previous page's endCursor; the ids per page."""
    pages: list[list[str]] = []
    after: str | None = None
    while True:
        data: Any = await api(query, first=2, after=after, **variables)
        for key in root:
            data = data[key]
        pages.append([edge["node"]["id"] for edge in data["edges"]])
        assert data["pageInfo"]["endCursor"] == data["edges"][-1]["cursor"]
        assert len(pages) <= 10, "the cursors do not advance"
        if not data["pageInfo"]["hasNextPage"]:
            return pages
        after = data["pageInfo"]["endCursor"]


async def test_invoices_page_newest_first_through_after_cursors(api: Api) -> None:
    [one, two] = await customers_and_add_on(api, "one", "two")
    created = [await invoice(api, one if n % 2 == 0 else two) for n in range(5)]
    newest_first = [inv["id"] for inv in reversed(created)]

    pages = await walk(api, INVOICES_PAGE, ["invoices"])

    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]
    total = (await api(INVOICES_PAGE, first=2))["invoices"]["totalCount"]
    assert total == 5

    # The same through invoices(customerId) and customer.invoices: only that customer's.
    ones = [inv["id"] for inv in reversed(created) if inv["customer"]["id"] == one]
    assert len(ones) == 3
    assert await walk(api, INVOICES_PAGE, ["invoices"], customerId=one) == [ones[0:2], ones[2:3]]
    by_customer = await walk(api, CUSTOMER_INVOICES_PAGE, ["customer", "invoices"], id=one)
    assert by_customer == [ones[0:2], ones[2:3]]
    first_page = (await api(CUSTOMER_INVOICES_PAGE, id=one, first=2))["customer"]["invoices"]
    assert first_page["totalCount"] == 3
