"""Building an invoice's rows from a priced request: its number and dates, the invoice, its
fees and their taxes, and the invoice's applied taxes (rules 6, 9 and 10, models/invoicing).

No I/O: the caller takes the counters under their locks and inserts the rows. The rows are
plain dataclasses, one field per column, inserted as `vars(row)`: a SQLModel object costs ten
times as much to make (pydantic resolves its defaults on every instance), and these rows are
never read back in their transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from models.billing.money import canonical_decimal
from models.billing.numbering import (
    format_invoice_number_per_customer,
    format_invoice_number_per_organization,
    issuing_date,
    overdue_from,
    payment_due_date,
)
from models.billing.statuses import DocumentNumbering, InvoiceStatus, InvoiceType, PaymentStatus
from models.invoicing.parties import Issuer, dated_in, parties
from models.invoicing.pricing import Priced
from models.invoicing.request import OneOffInvoiceInput
from models.store.tables import Customer, Organization


@dataclass(frozen=True)
class Sequences:
    """The counters taken for this invoice, under the customer's and organization's locks."""

    customer_invoice: int
    organization_invoice: int


@dataclass
class InvoiceRow:
    """A row of `invoices` (models/store/tables/invoices.py), every column given; the other
    row classes are those of its fees, their taxes and its taxes, in the same module."""

    id: str
    organization_id: str
    customer_id: str
    number: str
    sequential_id: int
    organization_sequential_id: int
    invoice_type: str
    status: str
    payment_status: str
    currency: str
    issuing_date: date
    payment_due_date: date
    payment_overdue_at: datetime
    net_payment_term: int
    fees_amount_cents: int
    coupons_amount_cents: int
    prepaid_credit_amount_cents: int
    sub_total_excluding_taxes_amount_cents: int
    taxes_amount_cents: int
    sub_total_including_taxes_amount_cents: int
    total_amount_cents: int
    idempotency_key: str | None
    request_fingerprint: str | None
    created_at: datetime
    purchase_order_number: str | None
    note: str | None
    footer: str | None
    invoice_metadata: dict[str, str] | None
    parties: dict[str, Any] | None = None  # frozen at issue: see rows.parties
    payment_status_updated_at: datetime | None = None  # set by later changes only
    voided_at: datetime | None = None


@dataclass
class FeeRow:
    id: str
    organization_id: str
    invoice_id: str
    add_on_id: str
    position: int
    units: Decimal
    unit_amount_cents: Decimal
    precise_amount_cents: Decimal
    amount_cents: int
    taxes_amount_cents: int
    total_amount_cents: int
    currency: str
    description: str | None
    invoice_display_name: str | None
    invoice_name: str
    created_at: datetime
    from_datetime: datetime | None
    to_datetime: datetime | None


@dataclass(kw_only=True)
class _TaxRow:
    """The columns a fee's tax and an invoice's tax share: the tax as it was when issued."""

    id: str
    invoice_id: str
    tax_id: str
    position: int
    tax_code: str
    tax_name: str
    tax_rate: Decimal
    tax_category: str
    tax_exemption_reason: str | None
    tax_exemption_reason_code: str | None
    amount_cents: int


@dataclass(kw_only=True)
class FeeTaxRow(_TaxRow):
    fee_id: str


@dataclass(kw_only=True)
class InvoiceTaxRow(_TaxRow):
    taxable_base_amount_cents: int


@dataclass(frozen=True)
class InvoiceRows:
    invoice: InvoiceRow
    fees: list[FeeRow]
    fee_taxes: dict[str, list[FeeTaxRow]]  # by fee id, in the fee's tax order
    applied_taxes: list[InvoiceTaxRow]


def new_row_id() -> str:
    return str(uuid.uuid4())


def invoice_number(
    organization: Issuer | Organization, customer: Customer, sequences: Sequences, now: datetime
) -> str:
    """Rule 10 (models/invoicing)."""
    if organization.document_numbering == DocumentNumbering.PER_ORGANIZATION:
        return format_invoice_number_per_organization(
            organization.document_number_prefix,
            issuing_date(now, organization.timezone),
            sequences.organization_invoice,
        )
    return format_invoice_number_per_customer(
        organization.document_number_prefix,
        customer.sequential_id,
        sequences.customer_invoice,
    )


def invoice_rows(
    organization: Issuer | Organization,
    request: OneOffInvoiceInput,
    priced: Priced,
    sequences: Sequences,
    *,
    fingerprint: str | None,
    now: datetime,
) -> InvoiceRows:
    customer, computed, currency = priced.customer, priced.computed, priced.currency
    zone = dated_in(organization, customer)
    issued = issuing_date(now, zone)
    term = (
        customer.net_payment_term
        if customer.net_payment_term is not None
        else organization.net_payment_term
    )
    invoice_id = new_row_id()
    invoice = InvoiceRow(
        id=invoice_id,
        organization_id=organization.id,
        customer_id=customer.id,
        number=invoice_number(organization, customer, sequences, now),
        sequential_id=sequences.customer_invoice,
        organization_sequential_id=sequences.organization_invoice,
        invoice_type=InvoiceType.ONE_OFF,
        status=InvoiceStatus.FINALIZED,
        payment_status=PaymentStatus.PENDING
        if computed.total_amount_cents > 0
        else PaymentStatus.SUCCEEDED,
        currency=currency,
        issuing_date=issued,
        payment_due_date=payment_due_date(issued, term),
        payment_overdue_at=overdue_from(payment_due_date(issued, term), zone),
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
        purchase_order_number=request.purchase_order_number,
        note=request.note,
        footer=organization.invoice_footer,
        invoice_metadata=request.metadata,
        parties=parties(organization, customer),
    )
    fees: list[FeeRow] = []
    fee_taxes: dict[str, list[FeeTaxRow]] = {}
    for position, (fee_in, add_on, line, computed_fee) in enumerate(
        zip(request.fees, priced.add_ons, priced.lines, computed.fees, strict=True)
    ):
        fee_id = new_row_id()
        fees.append(
            FeeRow(
                id=fee_id,
                organization_id=organization.id,
                invoice_id=invoice_id,
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
                invoice_name=fee_in.invoice_display_name
                or add_on.invoice_display_name
                or add_on.name,
                created_at=now,
                from_datetime=fee_in.from_datetime,
                to_datetime=fee_in.to_datetime,
            )
        )
        fee_taxes[fee_id] = [
            FeeTaxRow(
                id=new_row_id(),
                fee_id=fee_id,
                invoice_id=invoice_id,
                tax_id=share.tax.tax_id,
                position=tax_position,
                tax_code=share.tax.code,
                tax_name=share.tax.name,
                tax_rate=share.tax.rate,
                tax_category=share.tax.category,
                tax_exemption_reason=share.tax.exemption_reason,
                tax_exemption_reason_code=share.tax.exemption_reason_code,
                amount_cents=share.amount_cents,
            )
            for tax_position, share in enumerate(computed_fee.taxes)
        ]
    applied = [
        InvoiceTaxRow(
            id=new_row_id(),
            invoice_id=invoice_id,
            tax_id=tax.tax.tax_id,
            position=position,
            tax_code=tax.tax.code,
            tax_name=tax.tax.name,
            tax_rate=tax.tax.rate,
            tax_category=tax.tax.category,
            tax_exemption_reason=tax.tax.exemption_reason,
            tax_exemption_reason_code=tax.tax.exemption_reason_code,
            taxable_base_amount_cents=tax.taxable_base_amount_cents,
            amount_cents=tax.amount_cents,
        )
        for position, tax in enumerate(computed.applied_taxes)
    ]
    return InvoiceRows(invoice, fees, fee_taxes, applied)
