"""Invoice documents over HTTP: the endpoint a signed link opens, and the links themselves
(Invoice.fileUrl). The link is the only credential: no API key, so that it works from an
e-mail; a tampered one answers 403 and an expired one 410, and nothing more."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response

from graph.context import Info
from models.documents.links import LinkExpired, LinkInvalid, link_secret, sign, verify
from models.documents.store import invoice_pdf
from models.store.db import Database
from models.store.settings import Settings

PATH = "/documents/invoices/{token}"
# Where links point when neither ONEOFF_PUBLIC_URL nor a request says (`make run`'s address).
FALLBACK_BASE = "http://127.0.0.1:8000"


async def invoice_document(request: Request) -> Response:
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    secret = await link_secret(db, settings.document_link_secret)
    try:
        organization_id, invoice_id = verify(
            secret, request.path_params["token"], settings.document_link_seconds
        )
    except LinkExpired:
        return PlainTextResponse("This link has expired.", status_code=410)
    except LinkInvalid:
        return PlainTextResponse("Forbidden.", status_code=403)
    found = await invoice_pdf(db, organization_id, invoice_id)
    if found is None:  # signed for an organization or invoice that is not there
        return PlainTextResponse("Forbidden.", status_code=403)
    number, pdf = found
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": _disposition(f"{number}.pdf"),
            # The link is the credential: no shared cache may keep what it opened.
            "Cache-Control": "private, no-store",
        },
    )


def _disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback, and the name itself percent-encoded (a number's prefix may
    # hold any character an organization chose, none of which may break the header).
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def document_link(info: Info, invoice_id: str) -> str:
    context = info.context
    secret = await link_secret(context.db, context.settings.document_link_secret)
    token = sign(secret, context.organization_id, invoice_id)
    return _base(context.settings, context.request) + PATH.format(token=token)


def _base(settings: Settings, request: object) -> str:
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if isinstance(request, HTTPConnection):
        url = request.base_url
        # A subscription's request is its WebSocket: the document is fetched over HTTP.
        scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
        return str(url.replace(scheme=scheme)).rstrip("/")
    return FALLBACK_BASE
