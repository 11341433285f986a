"""An invoice's documents: rendered once per variant, kept as their bytes, and served as kept.

What they say was frozen at issue (`Invoice.parties`: seller, buyer, locale); the bytes are
frozen when first rendered, so that a later template or library change never alters a
document already sent. The PDF of an invoice an EN 16931 e-invoice can carry is Factur-X
(its CII XML inside); its UBL is a variant of its own. A voided invoice gets a second PDF,
the same marked VOID and without XML, and no UBL any more: a voided invoice is not issued
again as an e-invoice. The issued PDF stays as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.statuses import InvoiceStatus
from models.documents.content import document_data
from models.documents.issued import issued_invoices
from models.documents.typesetting import render_pdf
from models.einvoices.cii import cii_xml
from models.einvoices.facturx import with_facturx
from models.einvoices.problems import VOIDED_INVOICE, Problem, problems_of
from models.einvoices.terms import Issued, of_invoice
from models.einvoices.ubl import ubl_xml
from models.invoicing.reads import find_invoice
from models.store.columns import utcnow
from models.store.db import Database
from models.store.inserts import table_of_model
from models.store.tables import Invoice, InvoiceDocument

_DOCUMENTS = table_of_model(InvoiceDocument)
_INVOICES = table_of_model(Invoice)
ISSUED, VOIDED, UBL = "issued", "voided", "ubl"


@dataclass(frozen=True)
class NoEInvoice:
    """The invoice is the organization's, but has no e-invoice, for these reasons."""

    problems: list[Problem]


async def invoice_pdf(
    db: Database, organization_id: str, invoice_id: str
) -> tuple[str, bytes] | None:
    """(the invoice's number, its document); None when it is not the organization's."""
    found = await _document(db, organization_id, invoice_id, ubl=False)
    assert not isinstance(found, NoEInvoice)
    return found


async def invoice_ubl(
    db: Database, organization_id: str, invoice_id: str
) -> tuple[str, bytes] | NoEInvoice | None:
    """(the invoice's number, its UBL XML), or why it has none; None when it is not the
    organization's."""
    return await _document(db, organization_id, invoice_id, ubl=True)


async def _document(
    db: Database, organization_id: str, invoice_id: str, *, ubl: bool
) -> tuple[str, bytes] | NoEInvoice | None:
    async with db.read() as session:
        invoice = await find_invoice(session, organization_id, invoice_id)
        if invoice is None:
            return None
        voided = invoice.status == InvoiceStatus.VOIDED
        if ubl and voided:
            # Even one kept from before: it must not be booked any more.
            return NoEInvoice([VOIDED_INVOICE])
        variant = UBL if ubl else VOIDED if voided else ISSUED
        kept = await _kept(session, invoice_id, variant)
        if kept is not None:
            return invoice.number, kept
        issued = (await issued_invoices(session, [invoice]))[invoice_id]
    if invoice.parties is None:
        issued = replace(issued, parties=await _frozen_parties(db, invoice_id, issued.parties))
    render: Callable[[Issued], bytes] = _pdf
    if ubl:
        problems = problems_of(issued)
        if problems:
            return NoEInvoice(problems)
        render = _ubl
    # Rendered off the event loop: a few milliseconds of CPU, a first one of about 20 ms.
    content = await asyncio.to_thread(render, issued)
    async with db.write() as session:
        if ubl and await _voided_since(session, invoice_id):
            return NoEInvoice([VOIDED_INVOICE])
        # Two first requests at once render twice; the first to commit is kept, and both
        # answer with it.
        insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
        await session.execute(
            insert(_DOCUMENTS)
            .values(invoice_id=invoice_id, variant=variant, content=content, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        kept = await _kept(session, invoice_id, variant)
    assert kept is not None
    return invoice.number, kept


async def _frozen_parties(
    db: Database, invoice_id: str, current: Mapping[str, Any]
) -> dict[str, Any]:
    """An invoice issued before invoices kept their parties gets them now, as they are, and
    once: every document of it, whichever is made first, then names the same."""
    async with db.write() as session:
        await session.execute(
            update(_INVOICES)
            .where(_INVOICES.c.id == invoice_id, _INVOICES.c.parties.is_(None))
            .values(parties=dict(current))
        )
        kept: dict[str, Any] = (
            await session.execute(select(_INVOICES.c.parties).where(_INVOICES.c.id == invoice_id))
        ).scalar_one()
    return kept


async def _voided_since(session: AsyncSession, invoice_id: str) -> bool:
    # Voided while its UBL was being made: it is not served, nor kept.
    status = (
        await session.execute(select(_INVOICES.c.status).where(_INVOICES.c.id == invoice_id))
    ).scalar_one()
    return bool(status == InvoiceStatus.VOIDED)


def _pdf(issued: Issued) -> bytes:
    """The PDF; for an invoice an EN 16931 e-invoice can carry, Factur-X."""
    data = document_data(issued.invoice, issued.parties, issued.fees, issued.taxes)
    if problems_of(issued):
        return render_pdf(data)
    einvoice = of_invoice(issued)
    return with_facturx(render_pdf(data, archival=True), cii_xml(einvoice), einvoice, data["lang"])


def _ubl(issued: Issued) -> bytes:
    return ubl_xml(of_invoice(issued))


async def _kept(session: AsyncSession, invoice_id: str, variant: str) -> bytes | None:
    content: bytes | None = (
        await session.execute(
            select(_DOCUMENTS.c.content).where(
                _DOCUMENTS.c.invoice_id == invoice_id, _DOCUMENTS.c.variant == variant
            )
        )
    ).scalar_one_or_none()
    return content
