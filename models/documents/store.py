"""An invoice's document: rendered once per variant, kept as its bytes, and served as kept.

What it prints was frozen at issue (`Invoice.parties`: seller, buyer, locale); the bytes are
frozen when first rendered, so that a later template or library change never alters a
document already sent. A voided invoice gets a second document, the same marked VOID; the
issued one stays as it was.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.statuses import InvoiceStatus
from models.documents.content import document_data
from models.documents.typesetting import render_pdf
from models.einvoices.cii import cii_xml
from models.einvoices.facturx import with_facturx
from models.einvoices.problems import problems_of
from models.einvoices.terms import Issued, of_invoice
from models.invoicing.parties import parties
from models.invoicing.reads import (
    applied_taxes_of_invoices,
    fees_of_invoices,
    find_invoice,
    taxes_of_fees,
)
from models.store.columns import utcnow
from models.store.db import Database
from models.store.inserts import table_of_model
from models.store.tables import Customer, Invoice, InvoiceDocument, Organization

_DOCUMENTS = table_of_model(InvoiceDocument)
_INVOICES = table_of_model(Invoice)
ISSUED, VOIDED = "issued", "voided"


async def invoice_pdf(
    db: Database, organization_id: str, invoice_id: str
) -> tuple[str, bytes] | None:
    """(the invoice's number, its document); None when it is not the organization's."""
    async with db.read() as session:
        invoice = await find_invoice(session, organization_id, invoice_id)
        if invoice is None:
            return None
        variant = VOIDED if invoice.status == InvoiceStatus.VOIDED else ISSUED
        kept = await _kept(session, invoice_id, variant)
        if kept is not None:
            return invoice.number, kept
        fees = (await fees_of_invoices(session, [invoice_id])).get(invoice_id, [])
        fee_taxes = await taxes_of_fees(session, [fee.id for fee in fees])
        taxes = (await applied_taxes_of_invoices(session, [invoice_id])).get(invoice_id, [])
        frozen = invoice.parties
        if frozen is None:
            # Issued before invoices kept their parties: as they are at its first rendering,
            # which is then kept like any other.
            organization = await session.get(Organization, organization_id)
            customer = await session.get(Customer, invoice.customer_id)
            assert organization is not None
            assert customer is not None
            frozen = parties(organization, customer)
    issued = Issued(invoice, frozen, fees, fee_taxes, taxes)
    # Rendered off the event loop: a few milliseconds of CPU, a first one of about 20 ms.
    pdf = await asyncio.to_thread(_rendered, issued)
    async with db.write() as session:
        # Two first requests at once render twice; the first to commit is kept, and both
        # answer with it.
        if invoice.parties is None:
            # Kept now, so that a later VOID document prints the same seller and buyer.
            await session.execute(
                update(_INVOICES)
                .where(_INVOICES.c.id == invoice_id, _INVOICES.c.parties.is_(None))
                .values(parties=frozen)
            )
        insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
        await session.execute(
            insert(_DOCUMENTS)
            .values(invoice_id=invoice_id, variant=variant, content=pdf, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        kept = await _kept(session, invoice_id, variant)
    assert kept is not None
    return invoice.number, kept


def _rendered(issued: Issued) -> bytes:
    """The document; for an invoice an EN 16931 e-invoice can carry, as Factur-X (a voided
    one is never re-issued as one: problems_of says INVOICE_VOIDED)."""
    data = document_data(issued.invoice, issued.parties, issued.fees, issued.taxes)
    if problems_of(issued):
        return render_pdf(data)
    einvoice = of_invoice(issued)
    return with_facturx(render_pdf(data, archival=True), cii_xml(einvoice), einvoice, data["lang"])


async def _kept(session: AsyncSession, invoice_id: str, variant: str) -> bytes | None:
    content: bytes | None = (
        await session.execute(
            select(_DOCUMENTS.c.content).where(
                _DOCUMENTS.c.invoice_id == invoice_id, _DOCUMENTS.c.variant == variant
            )
        )
    ).scalar_one_or_none()
    return content
