"""Invoice.fileUrl over a real server: a link that opens the PDF without an API key, on any
process sharing the secret; tampered, expired or foreign ones answer 403 or 410 and nothing
else; page 1 rendered by poppler is not blank."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.documents.links import link_secret, sign
from models.store.db import Database
from tests.documents.test_content import text_of
from tests.http_api import Http, create_organization_key
from tests.server import Server, StartServer, server_factory

__all__ = ["server_factory"]

FILE_URL = "query($id: ID!) { invoice(id: $id) { number fileUrl } }"
VOID = "mutation($id: ID!) { voidInvoice(id: $id) { userErrors { code } } }"


async def issued(server: Server, name: str = "Acme") -> tuple[Http, str, dict[str, Any]]:
    key = await create_organization_key(server.database_url, name)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    created = await api.invoice(customer)
    invoice: dict[str, Any] = (await api(FILE_URL, id=created["id"]))["invoice"]
    return api, created["id"], invoice


def get(url: str) -> httpx.Response:
    # A browser's request: no API key, no proxy.
    return httpx.get(url, timeout=20, trust_env=False)


async def test_the_link_opens_the_pdf_without_an_api_key(server_factory: StartServer) -> None:
    server = server_factory()
    _, _, invoice = await issued(server)
    url = invoice["fileUrl"]
    assert url.startswith(f"{server.base_url}/documents/invoices/")
    answer = get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert invoice["number"] in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "private, no-store"
    assert invoice["number"] in text_of(answer.content)
    assert get(url).content == answer.content  # kept as first rendered


async def test_a_tampered_or_foreign_link_answers_403_and_nothing_else(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    api, invoice_id, invoice = await issued(server)
    my_org = (await api("{ organization { id } }"))["organization"]["id"]
    url = invoice["fileUrl"]
    token = url.rsplit("/", 1)[1]
    # A character inside the signature: the last one's low bits are base64 padding, which
    # decoding ignores, so changing only them would not change the signature.
    middle = len(token) - 10
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    db = Database(server.database_url)
    try:
        secret = await link_secret(db, None)
    finally:
        await db.dispose()
    _, their_invoice_id, theirs = await issued(server, "Other")
    base = url.rsplit("/", 1)[0]
    for bad in (
        f"{base}/{flipped}",
        f"{base}/{token[:20]}",
        f"{base}/garbage",
        f"{base}/{sign('another secret', my_org, invoice_id)}",
        # Genuinely signed, but naming an organization that is not the invoice's: the
        # document is read within the organization the link names, and is not there.
        f"{base}/{sign(secret, my_org, their_invoice_id)}",
        f"{base}/{sign(secret, 'not-an-organization', invoice_id)}",
    ):
        answer = get(bad)
        assert answer.status_code == 403, bad
        assert answer.headers["content-type"].startswith("text/plain")
        assert b"%PDF" not in answer.content
    assert get(theirs["fileUrl"]).status_code == 200


async def test_an_expired_link_answers_410(server_factory: StartServer) -> None:
    server = server_factory(env_overrides={"ONEOFF_DOCUMENT_LINK_SECONDS": "1"})
    _, _, invoice = await issued(server)
    assert get(invoice["fileUrl"]).status_code == 200
    await asyncio.sleep(2.2)
    expired = get(invoice["fileUrl"])
    assert expired.status_code == 410
    assert b"%PDF" not in expired.content


async def test_any_process_on_the_database_verifies_the_link(server_factory: StartServer) -> None:
    first = server_factory()
    second = server_factory(database_url=first.database_url)
    _, _, invoice = await issued(first)
    on_second = invoice["fileUrl"].replace(first.base_url, second.base_url)
    answer = get(on_second)
    assert answer.status_code == 200
    assert invoice["number"] in text_of(answer.content)


async def test_a_configured_secret_signs_and_a_wrong_one_fails(
    server_factory: StartServer,
) -> None:
    first = server_factory(env_overrides={"ONEOFF_DOCUMENT_LINK_SECRET": "s" * 40})
    other = server_factory(
        database_url=first.database_url,
        env_overrides={"ONEOFF_DOCUMENT_LINK_SECRET": "t" * 40},
    )
    _, _, invoice = await issued(first)
    assert get(invoice["fileUrl"]).status_code == 200
    assert get(invoice["fileUrl"].replace(first.base_url, other.base_url)).status_code == 403


async def test_the_link_of_a_voided_invoice_opens_its_void_document(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    api, invoice_id, invoice = await issued(server)
    before = text_of(get(invoice["fileUrl"]).content)
    assert (await api(VOID, id=invoice_id))["voidInvoice"]["userErrors"] == []
    after = text_of(get(invoice["fileUrl"]).content)
    assert "VOID" not in before
    assert "VOID" in after
    assert invoice["number"] in after


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="pdftoppm (Debian's poppler-utils) is not installed; .ci/run installs it",
)
async def test_page_one_renders_to_an_image_that_is_not_blank(
    server_factory: StartServer, tmp_path: Path
) -> None:
    server = server_factory()
    _, _, invoice = await issued(server)
    width, height, pixels = _page_one(get(invoice["fileUrl"]).content, tmp_path)
    assert 400 < width < height < 600  # A4 at 50 dpi
    dark = sum(1 for value in pixels if value < 128)
    # Text and rules, not a blank page, nor a page drowned in ink.
    assert 0.005 < dark / len(pixels) < 0.3, dark / len(pixels)


def _page_one(pdf_bytes: bytes, folder: Path) -> tuple[int, int, bytes]:
    pdf = folder / "invoice.pdf"
    pdf.write_bytes(pdf_bytes)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(folder / "page")],
        check=True,
        timeout=60,
    )
    (image,) = folder.glob("page*.pgm")
    return _pgm(image.read_bytes())


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5) image: width, height and its 8-bit pixels."""
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert header is not None, data[:20]
    width, height = int(header[1]), int(header[2])
    pixels = data[header.end() :]
    assert len(pixels) == width * height
    return width, height, pixels


async def test_any_number_prefix_makes_a_download_a_browser_can_save(
    server_factory: StartServer,
) -> None:
    server = server_factory()
    key = await create_organization_key(server.database_url)
    api = Http(server.base_url, key)
    customer = (await api.setup("c"))["c"]
    refused = await api(
        'mutation { updateOrganization(input: {documentNumberPrefix: "A\\r\\nX"}) '
        "{ userErrors { field code } } }"
    )
    assert refused["updateOrganization"]["userErrors"] == [
        {"field": ["documentNumberPrefix"], "code": "INVALID_VALUE"}
    ]
    for prefix in ('€Ж"Q', "ÉTÉ;x=1"):
        changed = await api(
            "mutation($p: String) { updateOrganization(input: {documentNumberPrefix: $p}) "
            "{ userErrors { code } } }",
            p=prefix,
        )
        assert changed["updateOrganization"]["userErrors"] == []
        created = await api.invoice(customer)
        invoice = (await api(FILE_URL, id=created["id"]))["invoice"]
        answer = get(invoice["fileUrl"])
        assert answer.status_code == 200, prefix
        disposition = answer.headers["content-disposition"]
        assert disposition.isascii()
        assert "\r" not in disposition
        assert "\n" not in disposition
        assert disposition.startswith('inline; filename="')
        assert "filename*=UTF-8''" in disposition
        assert invoice["number"] in text_of(answer.content)
