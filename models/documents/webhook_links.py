"""What a webhook body says of an invoice's documents, added as it is sent: signed links to
its PDF and its UBL, and whether it has its e-invoices and why not (Invoice.fileUrl and
Invoice.eInvoice, for a receiver that has no API call to make). Made at each attempt, since
a link expires and a delivery may be retried for days."""

from __future__ import annotations

from typing import Any

from models.documents.issued import einvoice_problems
from models.documents.links import link_secret, sign
from models.store.db import Database
from models.store.settings import Settings

PATH = "/documents/invoices/{token}"
UBL_PATH = PATH + "/ubl"
# Where links point when neither ONEOFF_PUBLIC_URL nor a request says (`make run`'s address).
FALLBACK_BASE = "http://127.0.0.1:8000"


async def with_document_links(
    db: Database, settings: Settings, payload: dict[str, Any]
) -> dict[str, Any]:
    invoice = payload.get("invoice")
    if payload.get("object_type") != "invoice" or not isinstance(invoice, dict):
        return payload
    secret = await link_secret(db, settings.document_link_secret)
    token = sign(secret, str(payload["organization_id"]), str(invoice["id"]))
    base = (settings.public_url or FALLBACK_BASE).rstrip("/")
    async with db.read() as session:
        problems = (await einvoice_problems(session, [str(invoice["id"])])).get(invoice["id"])
    links: dict[str, Any] = {"file_url": base + PATH.format(token=token)}
    if problems is not None:
        links["e_invoice"] = {
            "available": not problems,
            "ubl_url": None if problems else base + UBL_PATH.format(token=token),
            "problems": [{"code": p.code.value, "message": p.message} for p in problems],
        }
    return {**payload, "invoice": {**invoice, **links}}
