"""createOneOffInvoice: bill add-ons at once, in one transaction (rules 1–12,
models/invoicing). The request is checked by request.py, priced by pricing.py, and its rows
are built by rows.py; this module holds the transaction that ties them together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.events.outbox import record_event
from models.events.types import INVOICE_ONE_OFF_CREATED
from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, InputError, Rejected
from models.invoicing.claims import with_currency
from models.invoicing.parties import Issuer
from models.invoicing.payload import invoice_payload
from models.invoicing.pricing import price
from models.invoicing.request import OneOffInvoiceInput, normalized
from models.invoicing.rows import InvoiceRow, Sequences, invoice_rows
from models.store.columns import utcnow
from models.store.counters import take
from models.store.db import Database
from models.store.inserts import table_of_model
from models.store.tables import (
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    Organization,
)

_INVOICES, _FEES = table_of_model(Invoice), table_of_model(Fee)
_FEE_TAXES, _INVOICE_TAXES = table_of_model(FeeAppliedTax), table_of_model(InvoiceAppliedTax)


@dataclass(frozen=True)
class CreatedInvoice:
    invoice: Invoice | InvoiceRow  # as read back for a replay, or as just inserted
    replayed: bool  # True when an idempotency key returned an earlier invoice


async def create_one_off_invoice(
    db: Database, organization_id: str, request: OneOffInvoiceInput, *, now: datetime | None = None
) -> CreatedInvoice:
    checks = Checks()
    request = normalized(request, checks)
    if checks.errors:
        # Refused whatever the catalog holds: it is read only to report its errors too, in a
        # read transaction that neither queues for the write lock nor locks the customer.
        async with db.read() as session:
            await price(session, organization_id, request, checks, lock=False)
        raise Rejected(checks.errors)
    # Only a keyed request is ever compared with another.
    fingerprint = None if request.idempotency_key is None else request.fingerprint()
    try:
        async with db.write() as session:
            created = await _create(session, organization_id, request, fingerprint, now)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first: answer with its
        # invoice. Any other conflict would be a bug, and is raised as one.
        if request.idempotency_key is None:
            raise
        async with db.read() as session:
            replay = await _replay(session, organization_id, request)
        if replay is None:
            raise
        return replay
    return created


async def _replay(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
) -> CreatedInvoice | None:
    if request.idempotency_key is None:
        return None
    earlier = (
        await session.exec(
            select(Invoice).where(
                Invoice.organization_id == organization_id,
                Invoice.idempotency_key == request.idempotency_key,
            )
        )
    ).first()
    if earlier is None:
        return None
    if earlier.request_fingerprint not in request.fingerprints():
        raise Rejected(
            [
                InputError(
                    ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    ("idempotencyKey",),
                    "this idempotency key was used for a different request",
                )
            ]
        )
    return CreatedInvoice(earlier, replayed=True)


async def _create(
    session: AsyncSession,
    organization_id: str,
    request: OneOffInvoiceInput,
    fingerprint: str | None,
    at: datetime | None,
) -> CreatedInvoice:
    replay = await _replay(session, organization_id, request)
    if replay is not None:
        return replay
    checks = Checks()
    # The customer stays locked until commit: the currency decided here must still be the
    # customer's then.
    priced = await price(session, organization_id, request, checks, lock=True)
    if priced is None:
        raise Rejected(checks.errors)
    customer = priced.customer

    # The organization's row lock serializes every invoice of the organization until commit:
    # taken last, to be held briefly, and read back in the same round trip. Customer (claimed
    # when priced) before organization, always.
    customer_seq = customer.invoice_seq  # advanced when pricing claimed the customer
    taken = await take(
        session, Organization, organization_id, "invoice_seq", "event_seq", also=Issuer.COLUMNS
    )
    org_seq, event_seq = int(taken[0]), int(taken[1])
    issuer = Issuer(**dict(zip(Issuer.COLUMNS, taken[2:], strict=True)))
    # Taken under the counter locks, so that invoice numbers and dates rise together.
    now = at or utcnow()
    rows = invoice_rows(
        issuer,
        request,
        priced,
        Sequences(customer_invoice=customer_seq, organization_invoice=org_seq),
        fingerprint=fingerprint,
        now=now,
    )

    if customer.currency is None:  # rule 3: the customer takes the invoice's currency
        customer = await with_currency(session, customer, priced.currency, now)
    payload = invoice_payload(
        rows.invoice,
        customer,
        rows.fees,
        rows.fee_taxes,
        rows.applied_taxes,
        {a.id: a for a in priced.add_ons},
    )
    await record_event(
        session,
        INVOICE_ONE_OFF_CREATED,
        organization_id=organization_id,
        object_id=rows.invoice.id,
        body=payload,
        customer_id=customer.id,
        sequence=event_seq,
        occurred_at=now,
        # Core inserts with the event's (one statement on PostgreSQL): the ORM's unit of work
        # cost more than SQLite's own work, and these rows are never read back here.
        rows=[
            (_INVOICES, [vars(rows.invoice)]),
            (_FEES, [vars(fee) for fee in rows.fees]),
            (_FEE_TAXES, [vars(t) for taxes in rows.fee_taxes.values() for t in taxes]),
            (_INVOICE_TAXES, [vars(tax) for tax in rows.applied_taxes]),
        ],
    )
    return CreatedInvoice(rows.invoice, replayed=False)
