"""createOneOffInvoice: bill add-ons at once, in one transaction, by DESIGN.md's rules 1–12
(the request's checks and prices are models/invoicing/pricing.py's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.billing.numbering import (
    format_invoice_number_per_customer,
    format_invoice_number_per_organization,
    issuing_date,
    payment_due_date,
)
from models.billing.statuses import DocumentNumbering, PaymentStatus
from models.events.outbox import record_event
from models.events.types import INVOICE_ONE_OFF_CREATED
from models.inputs.checks import Checks
from models.inputs.errors import ErrorCode, InputError, Rejected
from models.invoicing.payload import invoice_payload
from models.invoicing.pricing import price
from models.invoicing.request import FeeInput as FeeInput
from models.invoicing.request import OneOffInvoiceInput as OneOffInvoiceInput
from models.invoicing.request import canonical_decimal, normalized
from models.store.columns import utcnow
from models.store.counters import bump
from models.store.db import Database
from models.store.tables import (
    Customer,
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    Organization,
)


@dataclass(frozen=True)
class CreatedInvoice:
    invoice: Invoice
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
    fingerprint = request.fingerprint()
    try:
        async with db.write() as session:
            created = await _create(session, organization_id, request, fingerprint, now)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first: answer with its
        # invoice. Any other conflict would be a bug, and is raised as one.
        if request.idempotency_key is None:
            raise
        async with db.read() as session:
            replay = await _replay(session, organization_id, request, fingerprint)
        if replay is None:
            raise
        return replay
    return created


async def _replay(
    session: AsyncSession, organization_id: str, request: OneOffInvoiceInput, fingerprint: str
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
    if earlier.request_fingerprint != fingerprint:
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
    fingerprint: str,
    at: datetime | None,
) -> CreatedInvoice:
    replay = await _replay(session, organization_id, request, fingerprint)
    if replay is not None:
        return replay
    checks = Checks()
    # The customer stays locked until commit: the currency decided here must still be the
    # customer's then.
    priced = await price(session, organization_id, request, checks, lock=True)
    if priced is None:
        raise Rejected(checks.errors)
    customer, add_ons, currency = priced.customer, priced.add_ons, priced.currency
    lines, computed = priced.lines, priced.computed

    # The organization's row lock serializes every invoice of the organization until commit:
    # taken last, to be held briefly. Customer before organization, always.
    (customer_seq,) = await bump(session, Customer, customer.id, "invoice_seq")
    org_seq, event_seq = await bump(
        session, Organization, organization_id, "invoice_seq", "event_seq"
    )
    organization = await session.get(Organization, organization_id)
    assert organization is not None
    # Taken under the counter locks, so that invoice numbers and dates rise together.
    now = at or utcnow()
    timezone = customer.timezone or organization.timezone or "UTC"
    issued = issuing_date(now, timezone)
    term = (
        customer.net_payment_term
        if customer.net_payment_term is not None
        else organization.net_payment_term
    )
    if organization.document_numbering == DocumentNumbering.PER_ORGANIZATION:
        number = format_invoice_number_per_organization(
            organization.document_number_prefix,
            issuing_date(now, organization.timezone),
            org_seq,
        )
    else:
        number = format_invoice_number_per_customer(
            organization.document_number_prefix, customer.sequential_id, customer_seq
        )

    if customer.currency is None:
        customer.currency = currency
        customer.updated_at = now
        session.add(customer)

    invoice = Invoice(
        organization_id=organization_id,
        customer_id=customer.id,
        number=number,
        sequential_id=customer_seq,
        organization_sequential_id=org_seq,
        payment_status=PaymentStatus.PENDING
        if computed.total_amount_cents > 0
        else PaymentStatus.SUCCEEDED,
        currency=currency,
        issuing_date=issued,
        payment_due_date=payment_due_date(issued, term),
        net_payment_term=term,
        fees_amount_cents=computed.fees_amount_cents,
        coupons_amount_cents=computed.coupons_amount_cents,
        prepaid_credit_amount_cents=computed.prepaid_credit_amount_cents,
        sub_total_excluding_taxes_amount_cents=computed.sub_total_excluding_taxes_amount_cents,
        taxes_amount_cents=computed.taxes_amount_cents,
        sub_total_including_taxes_amount_cents=computed.sub_total_including_taxes_amount_cents,
        total_amount_cents=computed.total_amount_cents,
        idempotency_key=request.idempotency_key,
        request_fingerprint=fingerprint if request.idempotency_key is not None else None,
        created_at=now,
    )
    session.add(invoice)
    await session.flush()

    fees: list[Fee] = []
    fee_tax_rows: dict[str, list[FeeAppliedTax]] = {}
    for position, (fee_in, add_on, line, computed_fee) in enumerate(
        zip(request.fees, add_ons, lines, computed.fees, strict=True)
    ):
        fee = Fee(
            organization_id=organization_id,
            invoice_id=invoice.id,
            add_on_id=add_on.id,
            position=position,
            units=line.units,
            unit_amount_cents=line.unit_amount_cents,
            precise_amount_cents=canonical_decimal(computed_fee.precise_amount_cents),
            amount_cents=computed_fee.amount_cents,
            taxes_amount_cents=computed_fee.taxes_amount_cents,
            total_amount_cents=computed_fee.total_amount_cents,
            currency=currency,
            description=fee_in.description
            if fee_in.description is not None
            else add_on.description,
            invoice_display_name=fee_in.invoice_display_name,
            invoice_name=fee_in.invoice_display_name or add_on.invoice_display_name or add_on.name,
            created_at=now,
        )
        fees.append(fee)
        fee_tax_rows[fee.id] = [
            FeeAppliedTax(
                fee_id=fee.id,
                invoice_id=invoice.id,
                tax_id=share.tax.tax_id,
                position=tax_position,
                tax_code=share.tax.code,
                tax_name=share.tax.name,
                tax_rate=share.tax.rate,
                amount_cents=share.amount_cents,
            )
            for tax_position, share in enumerate(computed_fee.taxes)
        ]
    applied = [
        InvoiceAppliedTax(
            invoice_id=invoice.id,
            tax_id=tax.tax.tax_id,
            position=position,
            tax_code=tax.tax.code,
            tax_name=tax.tax.name,
            tax_rate=tax.tax.rate,
            taxable_base_amount_cents=tax.taxable_base_amount_cents,
            amount_cents=tax.amount_cents,
        )
        for position, tax in enumerate(computed.applied_taxes)
    ]
    session.add_all(fees)
    await session.flush()
    session.add_all(row for rows in fee_tax_rows.values() for row in rows)
    session.add_all(applied)
    await session.flush()

    payload = invoice_payload(
        invoice, customer, fees, fee_tax_rows, applied, {a.id: a for a in add_ons}
    )
    await record_event(
        session,
        INVOICE_ONE_OFF_CREATED,
        organization_id=organization_id,
        object_id=invoice.id,
        body=payload,
        customer_id=customer.id,
        sequence=event_seq,
        occurred_at=now,
    )
    return CreatedInvoice(invoice, replayed=False)
