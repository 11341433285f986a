"""The README, run as a newcomer would: its commands and GraphQL documents, pasted as they are,
against a real server on an empty database, from a new organization to an invoice and a
webhook received."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import facturx
import pytest
from graphql import parse

from tests.databases import Provisioner
from tests.http_api import invoice_and_event_counts
from tests.server import REPO_ROOT, Server, free_port, oneoff_command, run_cli, running_server

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
CLI = ".venv/bin/oneoff"


@pytest.fixture(scope="module")
def server(provisioner: Provisioner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per engine, as the webhook how-to starts it; each test makes its own
    organization, as the first session does."""
    directory = tmp_path_factory.mktemp("readme")
    url = provisioner.fresh(directory)
    allow_local = {"ONEOFF_WEBHOOK_ALLOW_PRIVATE_URLS": "true"}
    with running_server(url, log_dir=directory, env_overrides=allow_local) as running:
        yield running
    provisioner.drop(url)


def blocks(language: str) -> list[str]:
    return [textwrap.dedent(code) for _, lang, code in FENCE.findall(README) if lang == language]


def operation(name: str) -> str:
    """The README's GraphQL block that defines the operation `name`."""
    found = [code for code in blocks("graphql") if re.search(rf"^\w+ {name}\b", code, re.M)]
    assert len(found) == 1, f"the README should define {name} exactly once"
    return found[0]


def command(fragment: str) -> list[str]:
    """The README's shell command containing `fragment`, as argv for this test's venv."""
    lines = [
        line.strip()
        for code in blocks("sh")
        for line in code.splitlines()
        if fragment in line and not line.strip().startswith("#")
    ]
    assert lines, f"no README command contains {fragment!r}"
    argv = shlex.split(lines[0], comments=True)
    assert argv[0] == CLI, lines[0]
    return [*oneoff_command(), *argv[1:]]


def post(server: Server, key: str, document: str, **variables: Any) -> dict[str, Any]:
    with server.client() as http:
        response = http.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.headers["x-request-id"]
    body: dict[str, Any] = response.json()
    return body


def data_of(answer: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    for payload in data.values():
        if isinstance(payload, dict) and "userErrors" in payload:
            assert payload["userErrors"] == [], payload
    return data


def new_organization(server: Server, tmp_path: Path) -> str:
    """`create-organization` exactly as the README spells it; the key on its last line."""
    result = subprocess.run(
        command("create-organization"),
        env={**os.environ, "DATABASE_URL": server.database_url},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("oo_"), result.stdout
    return key


def first_session(server: Server, key: str) -> dict[str, Any]:
    data_of(post(server, key, operation("Setup")))
    catalog = data_of(post(server, key, operation("Catalog")))
    assert catalog["customers"]["totalCount"] == 1
    assert {add_on["code"] for add_on in catalog["addOns"]["nodes"]} == {"setup_fee", "ebook"}
    previewed = data_of(post(server, key, operation("Preview")))["previewOneOffInvoice"]
    billed = data_of(post(server, key, operation("Bill")))["createOneOffInvoice"]
    invoice: dict[str, Any] = billed["invoice"]
    for same in ("currency", "issuingDate", "paymentDueDate", "totalAmountCents"):
        assert previewed["preview"][same] == invoice[same], same
    assert invoice["metadata"] == {"order_id": "WEB-1042"}
    return invoice


def test_the_first_session_reaches_an_invoice_from_an_empty_organization(
    server: Server, tmp_path: Path
) -> None:
    key = new_organization(server, tmp_path)

    invoice = first_session(server, key)

    assert re.fullmatch(r"ACM-[0-9A-F]{4}-001-001", invoice["number"]), invoice
    assert invoice["status"] == "FINALIZED"
    # The figures the README states, as it states them.
    for field in ("feesAmountCents", "taxesAmountCents", "totalAmountCents"):
        assert f"`{field}` {invoice[field]}" in README
    assert (invoice["feesAmountCents"], invoice["totalAmountCents"]) == ("52999", "63164")
    again = data_of(post(server, key, operation("Bill")))["createOneOffInvoice"]["invoice"]
    assert again["number"] == invoice["number"]


def test_the_documented_refusals_answer_as_documented(server: Server, tmp_path: Path) -> None:
    key = new_organization(server, tmp_path)
    first_session(server, key)
    before = _counts(server)

    refused = post(server, key, operation("Refused"))["data"]["createOneOffInvoice"]
    assert refused["invoice"] is None
    assert [(error["field"], error["code"]) for error in refused["userErrors"]] == [
        (["fees", "0", "units"], "VALUE_OUT_OF_RANGE"),
        (["externalCustomerId"], "CUSTOMER_NOT_FOUND"),
        (["fees", "0", "addOnCode"], "ADD_ON_NOT_FOUND"),
    ]
    prose = " ".join(README.split())
    for error in refused["userErrors"]:
        path = json.dumps(error["field"], separators=(",", ":"))
        assert f"`{path}` `{error['code']}`" in prose, error

    top_level = post(server, key, operation("NotADecimal"))
    assert top_level["data"] is None
    assert [error["extensions"]["code"] for error in top_level["errors"]] == ["BAD_USER_INPUT"]
    assert _counts(server) == before


def test_the_webhook_how_to_works_end_to_end_and_is_undone(server: Server, tmp_path: Path) -> None:
    key = new_organization(server, tmp_path)
    first = first_session(server, key)
    port = free_port()
    # The README's port, 9000, may be taken on a test machine; nothing else is changed.
    hook = operation("Hook").replace("127.0.0.1:9000", f"127.0.0.1:{port}")
    created = data_of(post(server, key, hook))["createWebhookEndpoint"]
    (receiver_code,) = blocks("python")
    receiver = tmp_path / "receiver.py"
    receiver.write_text(receiver_code.replace('("127.0.0.1", 9000)', f'("127.0.0.1", {port})'))
    process = subprocess.Popen(
        [sys.executable, str(receiver)],
        env={**os.environ, "WEBHOOK_SECRET": created["secret"]},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_listening(port)
        bill = operation("Bill").replace("first-session-1", "first-session-2")
        second = data_of(post(server, key, bill))["createOneOffInvoice"]["invoice"]
        assert second["number"] != first["number"]
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        # The after-issue section: the receiver, still running, prints the payment too.
        paid = operation("Paid").replace("<the invoice id from Bill>", first["id"])
        data_of(post(server, key, paid))
        paid_line = _next_printed(process.stdout)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert line == f"invoice.one_off_created {second['number']} 63164 EUR"
    assert paid_line == f"invoice.payment_status_updated {first['number']} 63164 EUR"
    assert "invoice.one_off_created ACM-…-001-002 63164 EUR" in README

    endpoint_id = created["webhookEndpoint"]["id"]
    unhook = operation("Unhook").replace("<the webhookEndpoint id from step 2>", endpoint_id)
    data_of(post(server, key, unhook))
    left = data_of(post(server, key, "{ webhookEndpoints(first: 10) { totalCount } }"))
    assert left["webhookEndpoints"]["totalCount"] == 0


def test_payment_and_void_answer_as_documented(server: Server, tmp_path: Path) -> None:
    key = new_organization(server, tmp_path)
    first = first_session(server, key)
    identity = data_of(post(server, key, operation("Identity")))["updateOrganization"]
    assert identity["organization"] == {
        "legalName": "Acme Inc.",
        "country": "US",
        "documentLocale": "en-US",
    }
    (document,) = data_of(post(server, key, operation("Document")))["invoices"]["nodes"]
    assert document["number"] == first["number"]
    with server.client() as browser:  # no API key: the link is the credential
        pdf = browser.get(document["fileUrl"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert (REPO_ROOT / "docs" / "invoice-document.png").is_file()
    paid = operation("Paid").replace("<the invoice id from Bill>", first["id"])
    invoice = data_of(post(server, key, paid))["updateInvoicePaymentStatus"]["invoice"]
    assert (invoice["paymentStatus"], invoice["status"]) == ("SUCCEEDED", "FINALIZED")
    assert invoice["paymentStatusUpdatedAt"]

    prose = " ".join(README.split())
    refused = post(server, key, operation("Void").replace("<the invoice id>", first["id"]))
    errors = refused["data"]["voidInvoice"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(["id"], "INVOICE_NOT_VOIDABLE")]
    assert '`["id"]` `INVOICE_NOT_VOIDABLE`' in prose

    bill = operation("Bill").replace("first-session-1", "after-issue")
    second = data_of(post(server, key, bill))["createOneOffInvoice"]["invoice"]
    void = operation("Void").replace("<the invoice id>", second["id"])
    voided = data_of(post(server, key, void))["voidInvoice"]["invoice"]
    assert (voided["number"], voided["status"]) == (second["number"], "VOIDED")
    assert voided["voidedAt"]
    again = post(server, key, void)["data"]["voidInvoice"]["userErrors"]
    assert [e["code"] for e in again] == ["INVOICE_NOT_VOIDABLE"]
    paid_voided = post(server, key, paid.replace(first["id"], second["id"]))
    errors = paid_voided["data"]["updateInvoicePaymentStatus"]["userErrors"]
    assert [e["code"] for e in errors] == ["INVOICE_VOIDED"]
    assert "invoice.payment_status_updated ACM-…-001-001 63164 EUR" in prose

    # Issued today, due in 30 days: nothing of the first session is overdue yet.
    overdue = data_of(post(server, key, operation("Overdue")))["invoices"]
    assert overdue == {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
    by_number = data_of(
        post(server, key, "query($n: String) { invoice(number: $n) { id } }", n=second["number"])
    )
    assert by_number["invoice"] == {"id": second["id"]}


def test_graphiql_opens_on_the_first_session_query(server: Server) -> None:
    with server.client() as http:
        page = http.get("/graphql", headers={"Accept": "text/html"}).text
    assert "<title>oneoff · GraphiQL</title>" in page
    assert "Strawberry" not in page.split("<body>")[0]
    assert operation("Catalog") in page
    assert "Welcome to GraphiQL" not in page


def test_every_graphql_document_of_the_readme_parses() -> None:
    documents = blocks("graphql")
    assert len(documents) >= 8
    for document in documents:
        parse(document)


def test_the_cli_is_spelled_one_way_everywhere() -> None:
    commands = [
        line.strip()
        for code in blocks("sh")
        for line in code.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    bare = [line for line in commands if re.match(r"(\S+=\S+ )*oneoff\b", line)]
    assert bare == [], "spell the CLI .venv/bin/oneoff in the README, as it works as written"
    assert any(line.startswith(CLI) for line in commands)


def test_the_readme_names_every_cli_command() -> None:
    result = run_cli("--help", database_url="sqlite+aiosqlite:///unused.sqlite3")
    listed = re.search(r"\{([\w,-]+)\}", result.stdout)
    assert listed is not None, result.stdout
    for name in listed.group(1).split(","):
        assert f"{CLI} {name}" in README, name


def _counts(server: Server) -> tuple[int, int]:
    import asyncio

    counts: tuple[int, int] = asyncio.run(invoice_and_event_counts(server.database_url))
    return counts


def _next_printed(output: Any) -> str:
    """The receiver's next line of its own, past the access log lines of its HTTP server."""
    while True:
        line: str = output.readline().strip()
        if not line or not line.startswith("127.0.0.1 - "):
            return line


def _wait_listening(port: int) -> None:
    import socket

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("the README's receiver did not start listening")


@pytest.fixture(autouse=True)
def _only_in_the_repository() -> None:
    assert (REPO_ROOT / "README.md").exists()


def test_every_image_the_readme_shows_is_in_the_repository() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert "docs/console-new-invoice.png" in images
    for image in images:
        assert (REPO_ROOT / image).is_file(), image


def test_e_invoices_answer_as_documented(server: Server, tmp_path: Path) -> None:
    key = new_organization(server, tmp_path)
    first = first_session(server, key)
    before = data_of(post(server, key, operation("EInvoice")))["invoices"]["nodes"][0]
    assert before["number"] == first["number"]
    assert before["eInvoice"]["available"] is False
    assert before["eInvoice"]["ublUrl"] is None
    assert {p["code"] for p in before["eInvoice"]["problems"]} == {
        "SELLER_LEGAL_NAME_MISSING",
        "SELLER_ADDRESS_MISSING",
        "SELLER_VAT_ID_MISSING",
        "BUYER_COUNTRY_MISSING",
    }
    customer_id = data_of(post(server, key, operation("Catalog")))["customers"]["nodes"][0]["id"]
    seller = operation("EuropeanSeller").replace("<the customer id from Setup>", customer_id)
    answered = data_of(post(server, key, seller))
    assert all(payload["userErrors"] == [] for payload in answered.values())
    assert answered["createTax"]["tax"] == {"code": "reverse_charge", "category": "AE"}
    bill = operation("Bill").replace("first-session-1", "e-invoice")
    second = data_of(post(server, key, bill))["createOneOffInvoice"]["invoice"]
    (after,) = data_of(post(server, key, operation("EInvoice")))["invoices"]["nodes"]
    assert after["number"] == second["number"]
    assert after["eInvoice"] == {
        "available": True,
        "ublUrl": after["fileUrl"] + "/ubl",
        "problems": [],
    }
    with server.client() as browser:  # no API key: the link is the credential
        ubl = browser.get(after["eInvoice"]["ublUrl"])
        pdf = browser.get(after["fileUrl"])
    assert ubl.status_code == 200
    assert f"<cbc:ID>{second['number']}</cbc:ID>".encode() in ubl.content
    filename, xml = facturx.get_xml_from_pdf(pdf.content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert second["number"].encode() in xml
