"""Building an invoice's rows from a priced request: its number and dates, the invoice, its
fees and their taxes, and the invoice's applied taxes (rules 6, 9 and 10, models/invoicing).

No I/O: the caller takes the counters under their locks, and adds and flushes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.billing.money import canonical_decimal
from models.billing.numbering import (
    format_invoice_number_per_customer,
    format_invoice_number_per_organization,
    issuing_date,
    payment_due_date,
)
from models.billing.statuses import DocumentNumbering, PaymentStatus
from models.invoicing.pricing import Priced
from models.invoicing.request import OneOffInvoiceInput
from models.store.tables import (
    Customer,
    Fee,
    FeeAppliedTax,
    Invoice,
    InvoiceAppliedTax,
    Organization,
)


@dataclass(frozen=True)
class Issuer:
    """What an invoice takes from its organization, as read under the organization's lock."""

    id: str
    document_numbering: str
    document_number_prefix: str
    timezone: str
    net_payment_term: int

    # The columns to read back from the counter's UPDATE, in this order.
    COLUMNS = ("id", "document_numbering", "document_number_prefix", "timezone", "net_payment_term")


@dataclass(frozen=True)
class Sequences:
    """The counters taken for this invoice, under the customer's and organization's locks."""

    customer_invoice: int
    organization_invoice: int


@dataclass(frozen=True)
class InvoiceRows:
    invoice: Invoice
    fees: list[Fee]
    fee_taxes: dict[str, list[FeeAppliedTax]]  # by fee id, in the fee's tax order
    applied_taxes: list[InvoiceAppliedTax]


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
    fingerprint: str,
    now: datetime,
) -> InvoiceRows:
    customer, computed, currency = priced.customer, priced.computed, priced.currency
    issued = issuing_date(now, customer.timezone or organization.timezone or "UTC")
    term = (
        customer.net_payment_term
        if customer.net_payment_term is not None
        else organization.net_payment_term
    )
    invoice = Invoice(
        organization_id=organization.id,
        customer_id=customer.id,
        number=invoice_number(organization, customer, sequences, now),
        sequential_id=sequences.customer_invoice,
        organization_sequential_id=sequences.organization_invoice,
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
    fees: list[Fee] = []
    fee_taxes: dict[str, list[FeeAppliedTax]] = {}
    for position, (fee_in, add_on, line, computed_fee) in enumerate(
        zip(request.fees, priced.add_ons, priced.lines, computed.fees, strict=True)
    ):
        fee = Fee(
            organization_id=organization.id,
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
        fee_taxes[fee.id] = [
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
    return InvoiceRows(invoice, fees, fee_taxes, applied)
