"""Invoice documents over HTTP: the endpoints a signed link opens (the PDF, and the UBL
e-invoice beside it), and the links themselves (Invoice.fileUrl, Invoice.eInvoice.ublUrl).
The link is the only credential: no API key, so that it works from an e-mail; a tampered
one answers 403 and an expired one 410, and nothing more. One link opens one invoice's
documents: the UBL's is the PDF's with `/ubl` after it."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response

from graph.context import Info
from models.documents.links import LinkExpired, LinkInvalid, link_secret, sign, verify
from models.documents.store import NoEInvoice, invoice_pdf, invoice_ubl
from models.documents.webhook_links import FALLBACK_BASE, PATH, UBL_PATH
from models.einvoices.problems import ProblemCode
from models.store.db import Database
from models.store.settings import Settings

__all__ = ["PATH", "UBL_PATH"]
# One answer's links share a token; a subscription's later event gets a fresh one, so that
# none arrives already expired, and a long-lived connection keeps few.
TOKEN_REUSE_SECONDS = 60.0
MAX_KEPT_TOKENS = 1000


async def _verified(request: Request) -> tuple[str, str] | Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    secret = await link_secret(db, settings.document_link_secret)
    try:
        return verify(secret, request.path_params["token"], settings.document_link_seconds)
    except LinkExpired:
        return _refusal("This link has expired.", 410)
    except LinkInvalid:
        return _refusal("Forbidden.", 403)


async def invoice_document(request: Request) -> Response:
    verified = await _verified(request)
    if isinstance(verified, Response):
        return verified
    found = await invoice_pdf(request.app.state.db, *verified)
    if found is None:  # signed for an organization or invoice that is not there
        return _refusal("Forbidden.", 403)
    number, pdf = found
    return _file(pdf, "application/pdf", f"{number}.pdf")


async def invoice_ubl_document(request: Request) -> Response:
    verified = await _verified(request)
    if isinstance(verified, Response):
        return verified
    found = await invoice_ubl(request.app.state.db, *verified)
    if found is None:
        return _refusal("Forbidden.", 403)
    if isinstance(found, NoEInvoice):
        if any(problem.code == ProblemCode.INVOICE_VOIDED for problem in found.problems):
            return _refusal("This invoice was voided: it is no e-invoice any more.", 410)
        reasons = "".join(f"\n- {problem.code}: {problem.message}" for problem in found.problems)
        return _refusal(f"This invoice has no e-invoice (Invoice.eInvoice.problems):{reasons}", 404)
    number, xml = found
    return _file(xml, "application/xml", f"{number}.xml")


# The link is the credential: no shared cache may keep what it opened, nor what it refused
# (a refusal may quote the invoice's VAT numbers).
_PRIVATE = {"Cache-Control": "private, no-store"}


def _refusal(text: str, status_code: int) -> Response:
    return PlainTextResponse(text, status_code=status_code, headers=_PRIVATE)


def _file(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": _disposition(filename), **_PRIVATE},
    )


def _disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback, and the name itself percent-encoded (a number's prefix may
    # hold any character an organization chose, none of which may break the header).
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def document_link(info: Info, invoice_id: str, *, ubl: bool = False) -> str:
    context = info.context
    now = time.monotonic()
    token, signed_at = context.document_tokens.get(invoice_id, ("", -TOKEN_REUSE_SECONDS))
    if now - signed_at >= TOKEN_REUSE_SECONDS:
        secret = await link_secret(context.db, context.settings.document_link_secret)
        token = sign(secret, context.organization_id, invoice_id)
        if len(context.document_tokens) >= MAX_KEPT_TOKENS:
            context.document_tokens.clear()
        context.document_tokens[invoice_id] = (token, now)
    return _base(context.settings, context.request) + (UBL_PATH if ubl else PATH).format(
        token=token
    )


def _base(settings: Settings, request: object) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if isinstance(request, HTTPConnection):
        url = request.base_url
        # A subscription's request is its WebSocket: the document is fetched over HTTP.
        scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
        return str(url.replace(scheme=scheme)).rstrip("/")
    return FALLBACK_BASE
