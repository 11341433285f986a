"""The invoices screens in Debian's Chromium against real servers: the list with the API's
filters, payment status and void from an invoice's page with the server's refusals shown
by their inputs, and the live feed of new invoices, which resumes from its last cursor
after the server it is connected to goes away and comes back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, Route, WebSocket, expect

from tests.console.browser import browser, needs_chromium
from tests.console.test_seed_flow import console_link, graphql, new_invoice_for
from tests.databases import Provisioner
from tests.server import Server, StartServer, server_factory, start_server

__all__ = ["server_factory"]
pytestmark = needs_chromium

ISSUE = """
mutation($input: CreateOneOffInvoiceInput!) {
  createOneOffInvoice(input: $input) { invoice { id number } userErrors { code } }
}"""


def demo(start: StartServer) -> tuple[Server, str, str]:
    """A new `oneoff serve --seed-demo`, its printed console link, and the key in it."""
    server = start(extra_args=["--seed-demo"])
    link = console_link(server)
    return server, link, link.split("#key=")[1]


def issuer(server: Server, key: str) -> Callable[[str], dict[str, Any]]:
    def issue(customer: str) -> dict[str, Any]:
        given = {"externalCustomerId": customer, "fees": [{"addOnCode": "ebook"}]}
        answer = graphql(server, key, ISSUE, input=given)["createOneOffInvoice"]
        assert answer["userErrors"] == []
        invoice: dict[str, Any] = answer["invoice"]
        return invoice

    return issue


def open_invoices(page: Page, link: str) -> None:
    page.goto(link)
    page.get_by_role("link", name="Invoices", exact=True).click()
    expect(page.locator(".feed-state")).to_have_text("live")


def test_the_feed_resumes_after_its_server_goes_away_and_comes_back(
    server_factory: StartServer, provisioner: Provisioner, tmp_path: Any
) -> None:
    first, link, key = demo(server_factory)
    with browser(f"feed-{provisioner.engine}") as driven:
        page = driven.page
        open_invoices(page, link)
        before = issuer(first, key)("cust_paris")
        expect(page.locator(f'.feed [data-invoice="{before["number"]}"]')).to_be_visible()

        port = first.port
        first.stop()
        expect(page.locator(".feed-state")).to_have_text(re.compile("reconnecting|connecting"))
        # While the console's server is away, another one on the same database issues.
        other = server_factory(database_url=first.database_url)
        missed = issuer(other, key)("cust_paris")
        back = start_server(first.database_url, log_dir=tmp_path / "back", port=port)
        try:
            expect(page.locator(".feed-state")).to_have_text("live", timeout=20_000)
            expect(page.locator(f'.feed [data-invoice="{missed["number"]}"]')).to_be_visible()
            # Exactly once each: the missed one replayed, the earlier one not again.
            expect(page.locator(".feed li")).to_have_count(2)
            driven.shot("feed-resumed")
        finally:
            back.stop()
        # Chromium reports each refused reconnection while the server is away, and only those.
        assert all(e.startswith("WebSocket connection to") for e in driven.errors), driven.errors


def test_pay_void_and_filter_from_the_invoice_screens(
    server_factory: StartServer, provisioner: Provisioner
) -> None:
    server, link, key = demo(server_factory)
    issue = issuer(server, key)
    paid, voided = issue("cust_paris"), issue("cust_paris")
    with browser(f"lifecycle-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        page.goto(f"{server.base_url}/console#/invoices/{paid['id']}")
        page.get_by_label("Payment status").select_option("SUCCEEDED")
        page.get_by_role("button", name="Update payment status").click()
        expect(page.locator("[data-payment-status]")).to_have_text("SUCCEEDED")
        # Paid, it cannot be voided: the server says so by the button.
        page.get_by_role("button", name="Void invoice").click()
        page.get_by_role("button", name=f"Confirm: void {paid['number']}").click()
        expect(page.locator('[data-path="id"] .error')).to_contain_text("INVOICE_NOT_VOIDABLE")
        driven.shot("not-voidable")

        page.goto(f"{server.base_url}/console#/invoices/{voided['id']}")
        page.get_by_role("button", name="Void invoice").click()
        page.get_by_role("button", name=f"Confirm: void {voided['number']}").click()
        expect(page.locator("[data-status]")).to_have_text("VOIDED")
        expect(page.get_by_text("Voided: no further change.")).to_be_visible()
        # Voided, it is no e-invoice any more: the reason is the server's.
        expect(page.locator('[data-e-invoice="unavailable"] [data-problem]')).to_have_attribute(
            "data-problem", "INVOICE_VOIDED"
        )
        driven.shot("voided")

        page.get_by_role("link", name="Invoices", exact=True).click()
        rows = page.locator("table.list tbody tr")
        expect(rows).to_have_count(2)
        page.get_by_label("Status").select_option("VOIDED")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-invoice", voided["number"])
        page.get_by_label("Status").select_option("")
        page.get_by_label("Payment").select_option("SUCCEEDED")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-invoice", paid["number"])
        page.get_by_label("Payment").select_option("")
        page.get_by_label("Search").fill(voided["number"])
        expect(rows).to_have_count(1)
        driven.shot("filtered")
        page.get_by_label("Search").fill("")
        page.get_by_label("Currency").select_option("USD")
        expect(page.get_by_text("No invoice matches.")).to_be_visible()
        page.get_by_label("Currency").select_option("EUR")
        page.get_by_label("Customer").fill("cust_paris")
        expect(rows).to_have_count(2)
        assert driven.errors == []


def test_an_invoice_can_be_issued_with_the_keyboard_alone(
    server_factory: StartServer, provisioner: Provisioner
) -> None:
    _, link, _ = demo(server_factory)
    with browser(f"keyboard-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        page.get_by_role("link", name="Hudson Labs").focus()
        page.keyboard.press("Enter")
        page.get_by_text("Actions").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Add an add-on").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_label("Find an add-on")).to_be_focused()
        page.keyboard.type("consult")
        result = page.get_by_role("button", name="Consulting hour (consulting_hour)")
        expect(page.locator(".picker li")).to_have_count(1)  # the search has answered
        page.keyboard.press("Tab")
        expect(result).to_be_focused()
        page.keyboard.press("Enter")
        units = page.locator("fieldset.fee").first.get_by_label("Units")
        expect(units).to_be_focused()
        page.keyboard.press("Control+A")
        page.keyboard.type("3")
        expect(page.locator('.totals [data-total="fees"]')).to_have_text("$450.00")
        page.get_by_role("button", name="Create").focus()
        page.keyboard.press("Enter")
        expect(page.locator("[data-invoice-number]")).to_have_text(re.compile(r"-001$"))
        driven.shot("issued-by-keyboard")
        assert driven.errors == []


CUSTOMER = """
mutation($id: String!) { createCustomer(input: {externalId: $id}) { userErrors { code } } }
"""


def test_the_customers_list_pages_through_every_customer(
    server_factory: StartServer, provisioner: Provisioner
) -> None:
    server, link, key = demo(server_factory)
    for n in range(20):  # with the demo's 3: 23, a page of 20 and one of 3
        graphql(server, key, CUSTOMER, id=f"bulk-{n:02d}")
    with browser(f"paging-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        rows = page.locator("table.list tbody tr")
        expect(rows).to_have_count(20)
        expect(rows.first).to_contain_text("bulk-19")  # newest first
        page.get_by_role("button", name="Next page").click()
        expect(rows).to_have_count(3)
        expect(page.get_by_role("link", name="Librairie du Parc")).to_be_visible()
        expect(page.get_by_role("button", name="Next page")).to_be_hidden()
        page.get_by_role("button", name="First page").click()
        expect(rows).to_have_count(20)
        assert driven.errors == []


def test_a_lost_answer_to_create_is_retried_into_the_same_invoice(
    server_factory: StartServer, provisioner: Provisioner
) -> None:
    server, link, key = demo(server_factory)
    lost: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        body = route.request.post_data or ""
        if "createOneOffInvoice" in body and not lost:
            response = route.fetch()  # the server issues the invoice...
            lost.append(response.text())
            route.abort("connectionreset")  # ...and its answer never arrives
        else:
            route.continue_()

    with browser(f"lost-answer-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        page.route("**/graphql", lose_the_first_answer)
        new_invoice_for(page, "Librairie du Parc")
        page.get_by_role("button", name="Add an add-on").click()
        page.get_by_label("Find an add-on").fill("book")
        page.get_by_role("button", name="E-book (ebook)").click()
        create = page.get_by_role("button", name="Create")
        expect(create).to_be_enabled()
        create.click()
        expect(page.get_by_text("the invoice may have been issued")).to_be_visible()
        driven.shot("answer-lost")
        create.click()
        expect(page.locator("[data-invoice-number]")).to_have_text(re.compile(r"-001-001$"))
        issued = graphql(server, key, "{ invoices(first: 5) { nodes { number } } }")
        assert len(issued["invoices"]["nodes"]) == 1
        assert '"number"' in lost[0]  # it was issued the first time
        assert all("ERR_CONNECTION_RESET" in e for e in driven.errors), driven.errors


def test_signing_out_closes_the_live_feed(
    server_factory: StartServer, provisioner: Provisioner
) -> None:
    _, link, _ = demo(server_factory)
    with browser(f"sign-out-{provisioner.engine}") as driven:
        page = driven.page
        sockets: list[WebSocket] = []
        page.on("websocket", lambda socket: sockets.append(socket))
        open_invoices(page, link)
        (feed,) = sockets
        assert not feed.is_closed()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        for _ in range(50):
            if feed.is_closed():
                break
            page.wait_for_timeout(100)
        assert feed.is_closed()
        assert page.evaluate("sessionStorage.getItem('oneoff.apiKey')") is None
        assert driven.errors == []
