"""The seed's flow, walked in Debian's Chromium against a real `oneoff serve --seed-demo`
(what `make run` starts) on each engine: open the printed console link, pick the customer,
Actions → Create one-off invoice, add the same add-on twice with different units, set one
unit price to 0, edit a description, see the server's preview totals, Create, open the PDF,
and see the invoice arrive in another tab's live feed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import facturx
import pytest
from babel.numbers import format_currency
from playwright.sync_api import Page, expect

from tests.console.browser import browser, needs_chromium
from tests.databases import Provisioner
from tests.server import Server, running_server
from tests.test_readme import post

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def demo(provisioner: Provisioner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("console")
    url = provisioner.fresh(directory)
    with running_server(url, log_dir=directory, extra_args=["--seed-demo"]) as server:
        yield server
    provisioner.drop(url)


def console_link(server: Server) -> str:
    (line,) = [line for line in server.log().splitlines() if line.startswith("Console:")]
    link = line.split()[1]
    assert link.startswith(f"{server.base_url}/console#key=oo_"), line
    return link


def graphql(server: Server, key: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = post(server, key, query, **variables)
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def euros(minor: str) -> str:
    return format_currency(Decimal(minor).scaleb(-2), "EUR", locale="en_US")


def fee_row(page: Page, index: int) -> Any:
    return page.locator("fieldset.fee").nth(index)


def new_invoice_for(page: Page, customer: str) -> None:
    """From the customers list, as the seed's guide says: the customer, then Actions →
    Create one-off invoice."""
    page.get_by_role("link", name=customer).click()
    page.get_by_text("Actions").click()
    page.get_by_role("link", name="Create one-off invoice").click()


def add(page: Page, search: str, name: str) -> None:
    page.get_by_role("button", name="Add an add-on").click()
    page.get_by_label("Find an add-on").fill(search)
    page.get_by_role("button", name=name).click()


PREVIEW = """
query($input: PreviewOneOffInvoiceInput!) {
  previewOneOffInvoice(input: $input) {
    preview { feesAmountCents taxesAmountCents totalAmountCents }
    userErrors { code }
  }
}"""


def test_the_seed_flow_issues_the_invoice_from_the_printed_link(
    demo: Server, provisioner: Provisioner
) -> None:
    link = console_link(demo)
    key = link.split("#key=")[1]
    with browser(f"seed-flow-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        expect(page.get_by_role("heading", name="Customers")).to_be_visible()
        # The key left the address bar at once, and lives in this tab's sessionStorage only.
        assert "key=" not in page.url
        assert page.evaluate("sessionStorage.getItem('oneoff.apiKey')") == key
        assert page.evaluate("localStorage.length") == 0
        driven.shot("customers")
        # A second tab follows new invoices live, as a billing team's screen would.
        feed = driven.new_tab()
        feed.goto(link)
        feed.get_by_role("link", name="Invoices", exact=True).click()
        expect(feed.locator(".feed-state")).to_have_text("live")

        page.get_by_label("Search customers").fill("librairie")
        expect(page.locator("table.list tbody tr")).to_have_count(1)
        page.get_by_role("link", name="Librairie du Parc").click()
        expect(page.get_by_role("heading", name="Librairie du Parc")).to_be_visible()
        expect(page.get_by_text("No invoice yet.")).to_be_visible()
        driven.shot("customer")

        page.get_by_text("Actions").click()
        page.get_by_role("link", name="Create one-off invoice").click()
        add(page, "setup", "Setup fee (setup_fee)")
        # Enter in the search box searches; it never issues the invoice as it stands.
        page.get_by_role("button", name="Add an add-on").click()
        page.get_by_label("Find an add-on").fill("book")
        page.get_by_label("Find an add-on").press("Enter")
        page.get_by_role("button", name="E-book (ebook)").click()
        assert page.url.endswith("/new-invoice")
        add(page, "book", "E-book (ebook)")
        setup, books, free = fee_row(page, 0), fee_row(page, 1), fee_row(page, 2)
        # Prefilled from the add-on: its price in the customer's currency, its description.
        expect(setup.get_by_label(re.compile("^Unit price"))).to_have_value("500")
        expect(setup.get_by_label("Description")).to_have_value("Account setup and onboarding")
        expect(books.get_by_label(re.compile("^Unit price"))).to_have_value("19.99")
        setup.get_by_label("Description").fill("Setup of the Lyon shop")
        books.get_by_label("Units").fill("2")
        free.get_by_label(re.compile("^Unit price")).fill("0")
        driven.shot("fees")

        # A refused value is answered by the server next to its input, and no totals.
        books.get_by_label("Units").fill("-1")
        expect(books.locator('[data-path="fees.1.units"] .error')).to_contain_text(
            "VALUE_OUT_OF_RANGE"
        )
        expect(page.get_by_text("No totals until the errors above are fixed.")).to_be_visible()
        driven.shot("refused-units")
        books.get_by_label("Units").fill("2")

        fees = [
            {"addOnCode": "setup_fee", "description": "Setup of the Lyon shop"},
            {"addOnCode": "ebook", "units": "2"},
            {"addOnCode": "ebook", "unitAmountCents": "0"},
        ]
        customer = graphql(demo, key, '{ customer(externalId: "cust_paris") { id } }')
        expected = graphql(
            demo, key, PREVIEW, input={"customerId": customer["customer"]["id"], "fees": fees}
        )["previewOneOffInvoice"]["preview"]
        for name, minor in (
            ("fees", expected["feesAmountCents"]),
            ("taxes", expected["taxesAmountCents"]),
            ("total", expected["totalAmountCents"]),
        ):
            total = page.locator(f'.totals [data-total="{name}"]')
            expect(total).to_have_attribute("data-minor", minor)
            expect(total).to_have_text(euros(minor))
        assert expected["totalAmountCents"] == "64218"  # 500 + 100 VAT, 39.98 + 2.20 VAT
        driven.shot("preview")

        page.get_by_role("button", name="Create").click()
        number = page.locator("[data-invoice-number]")
        expect(number).to_have_text(re.compile(r"^ACM-[0-9A-F]{4}-001-001$"))
        expect(page.locator('[data-total="total"]')).to_have_text(euros("64218"))
        driven.shot("issued")
        arrived = feed.locator(f'.feed [data-invoice="{number.inner_text()}"]')
        expect(arrived).to_contain_text(euros("64218"))
        driven.shot("live-feed", feed)

        href = page.get_by_role("link", name="Download the PDF").get_attribute("href")
        assert href is not None
        pdf = page.request.get(href)
        assert pdf.status == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF-")
        # The demo seller and its Paris customer have what EN 16931 asks: the PDF is
        # Factur-X, and the UBL is one click away.
        expect(page.locator('[data-e-invoice="available"]')).to_contain_text("Factur-X")
        assert facturx.get_xml_from_pdf(pdf.body(), check_xsd=True)[0] == "factur-x.xml"
        ubl_href = page.get_by_role("link", name="UBL (Peppol BIS 3.0)").get_attribute("href")
        assert ubl_href == href + "/ubl"
        ubl = page.request.get(ubl_href)
        assert ubl.status == 200
        assert number.inner_text().encode() in ubl.body()

        # One invoice, though Create was the only click: the preview wrote nothing.
        issued = graphql(demo, key, "{ invoices(first: 5) { nodes { number } } }")
        assert [node["number"] for node in issued["invoices"]["nodes"]] == [number.inner_text()]
        assert driven.errors == []
    # Nowhere in the server's log but the lines that print it for the user.
    printed = ("Console:", "Demo API key:", "Headers:")
    lines = [line for line in demo.log().splitlines() if not line.startswith(printed)]
    assert any('"POST /graphql' in line for line in lines)
    assert not any(key in line for line in lines)


def test_the_console_fits_a_phone_screen(demo: Server, provisioner: Provisioner) -> None:
    link = console_link(demo)
    with browser(f"phone-{provisioner.engine}", width=390, height=844) as driven:
        page = driven.page
        page.goto(link)
        new_invoice_for(page, "Hudson Labs")
        add(page, "consult", "Consulting hour (consulting_hour)")
        expect(page.locator('.totals [data-total="total"]')).to_be_visible()
        driven.shot("phone-new-invoice")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide on a 390px screen"
        assert driven.errors == []


def test_a_wrong_key_is_asked_again_and_forgotten(demo: Server, provisioner: Provisioner) -> None:
    with browser(f"wrong-key-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(f"{demo.base_url}/console")
        page.get_by_label("API key").fill("oo_not_a_key")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("not accepted")
        assert page.evaluate("sessionStorage.getItem('oneoff.apiKey')") is None
        driven.shot("wrong-key")
    # The refused request's 401 is the browser's only complaint.
    assert all("401" in error for error in driven.errors), driven.errors


def test_the_console_page_forbids_foreign_scripts_and_framing(demo: Server) -> None:
    with demo.client() as http:
        page = http.get("/console")
        script = http.get("/console/assets/js/app.js")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert script.headers["content-security-policy"] == policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    # Every asset from this server: nothing names another origin.
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)


def test_a_customer_without_a_currency_gets_the_picker_and_yen_without_decimals(
    demo: Server, provisioner: Provisioner
) -> None:
    link = console_link(demo)
    with browser(f"currency-{provisioner.engine}") as driven:
        page = driven.page
        page.goto(link)
        new_invoice_for(page, "Sakura KK")
        add(page, "workshop", "Workshop (Tokyo) (workshop_jp)")
        # Priced in yen, the invoice takes the add-on's currency: its price as it is.
        expect(fee_row(page, 0).get_by_label(re.compile("^Unit price"))).to_have_value("120000")
        expect(page.locator('.totals [data-total="fees"]')).to_have_text("¥120,000")
        # Chosen in euros, a yen price is no longer a price: the server asks for one.
        page.get_by_label("Currency").select_option("EUR")
        expect(fee_row(page, 0).get_by_label(re.compile("^Unit price"))).to_have_value("")
        expect(page.locator('[data-path="fees.0.unitAmountCents"] .error')).to_contain_text(
            "UNIT_AMOUNT_REQUIRED"
        )
        fee_row(page, 0).get_by_label(re.compile("^Unit price")).fill("1234.565")
        expect(page.locator('.totals [data-total="fees"]')).to_have_text("€1,234.57")
        driven.shot("currency-picker")
        assert driven.errors == []
