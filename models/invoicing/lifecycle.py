"""After issue: an invoice's payment status and its void (rule 13, models/invoicing).

Each change locks the invoice's row, then the organization's event counter, changes the row
and records its event in one transaction: two changes of one invoice run one after the
other, each sees what the other did, and the events commit in the order of the changes, so
the last event always tells the invoice's final state. Locks in the order invoice, then
organization, as createOneOffInvoice takes customer, then organization: no cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.statuses import InvoiceStatus, PaymentStatus
from models.catalog.add_ons import add_ons_by_id
from models.events.outbox import record_event
from models.events.types import INVOICE_PAYMENT_STATUS_UPDATED, INVOICE_VOIDED, EventType
from models.inputs.errors import ErrorCode, Path, reject
from models.invoicing.payload import invoice_payload
from models.invoicing.reads import invoice_parts
from models.store.columns import utcnow
from models.store.counters import bump
from models.store.db import Database
from models.store.tables import Invoice, Organization

# The statuses an invoice may be voided from: nothing was paid, nothing is being paid.
VOIDABLE = frozenset({PaymentStatus.PENDING, PaymentStatus.FAILED})
ID: Path = ("id",)


@dataclass(frozen=True)
class InvoiceChange:
    invoice: Invoice  # as it is after the change (or as it was, when nothing changed)
    changed: bool  # False when the invoice already had what was asked: no event then


async def update_payment_status(
    db: Database, organization_id: str, invoice_id: str, status: PaymentStatus
) -> InvoiceChange:
    async with db.write() as session:
        invoice = await _locked(session, organization_id, invoice_id)
        if invoice.status == InvoiceStatus.VOIDED:
            raise reject(
                ErrorCode.INVOICE_VOIDED, ID, "a voided invoice's payment status cannot change"
            )
        if invoice.payment_status == status:
            return InvoiceChange(invoice, changed=False)
        now = await _event_turn(session, organization_id)
        invoice.payment_status = status
        invoice.payment_status_updated_at = now.at
        await _record(session, invoice, INVOICE_PAYMENT_STATUS_UPDATED, now)
        return InvoiceChange(invoice, changed=True)


async def void_invoice(db: Database, organization_id: str, invoice_id: str) -> InvoiceChange:
    async with db.write() as session:
        invoice = await _locked(session, organization_id, invoice_id)
        if invoice.status == InvoiceStatus.VOIDED or invoice.payment_status not in VOIDABLE:
            raise reject(
                ErrorCode.INVOICE_NOT_VOIDABLE,
                ID,
                f"a {invoice.status.lower()} invoice whose payment is "
                f"{invoice.payment_status.lower()} cannot be voided: only a pending or failed "
                "one can",
            )
        now = await _event_turn(session, organization_id)
        invoice.status = InvoiceStatus.VOIDED
        invoice.voided_at = now.at
        await _record(session, invoice, INVOICE_VOIDED, now)
        return InvoiceChange(invoice, changed=True)


async def _locked(session: AsyncSession, organization_id: str, invoice_id: str) -> Invoice:
    """The invoice, locked until commit (FOR UPDATE on PostgreSQL; on SQLite, a write
    transaction is the only writer). Another organization's reads as unknown."""
    invoice = (
        await session.exec(
            select(Invoice)
            .where(Invoice.organization_id == organization_id, Invoice.id == invoice_id)
            .with_for_update()
        )
    ).first()
    if invoice is None:
        raise reject(ErrorCode.INVOICE_NOT_FOUND, ID, "no such invoice")
    return invoice


@dataclass(frozen=True)
class _Turn:
    sequence: int
    at: datetime


async def _event_turn(session: AsyncSession, organization_id: str) -> _Turn:
    # The instant is taken under the counter's lock, so that it rises with the sequence.
    (sequence,) = await bump(session, Organization, organization_id, "event_seq")
    return _Turn(sequence, utcnow())


async def _record(
    session: AsyncSession, invoice: Invoice, event_type: EventType, turn: _Turn
) -> None:
    session.add(invoice)
    await session.flush()
    parts = await invoice_parts(
        session, [invoice], fees=True, fee_taxes=True, applied_taxes=True, customers=True
    )
    # Every part was asked for, so every part is there.
    assert parts.fees is not None
    assert parts.fee_taxes is not None
    assert parts.applied_taxes is not None
    assert parts.customers is not None
    fees = parts.fees[invoice.id]
    add_ons = await add_ons_by_id(session, list({fee.add_on_id for fee in fees}))
    body = invoice_payload(
        invoice,
        parts.customers[invoice.customer_id],
        fees,
        parts.fee_taxes,
        parts.applied_taxes[invoice.id],
        add_ons,
    )
    await record_event(
        session,
        event_type,
        organization_id=invoice.organization_id,
        object_id=invoice.id,
        body=body,
        customer_id=invoice.customer_id,
        sequence=turn.sequence,
        occurred_at=turn.at,
    )
