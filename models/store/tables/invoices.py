from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.billing.statuses import InvoiceStatus, InvoiceType
from models.store.columns import ExactDecimal, UTCDateTime, new_id, utcnow


def _fk(target: str, *, index: bool = True, nullable: bool = False) -> Column[str]:
    return Column(String(36), ForeignKey(target), nullable=nullable, index=index)


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("organization_id", "number"),
        UniqueConstraint("organization_id", "idempotency_key"),
        UniqueConstraint("customer_id", "sequential_id"),
        UniqueConstraint("organization_id", "organization_sequential_id"),
        # The keyset pages, newest first (models/store/pagination.py).
        Index("ix_invoices_organization_page", "organization_id", "created_at", "id"),
        Index("ix_invoices_customer_page", "customer_id", "created_at", "id"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(sa_column=_fk("organizations.id"))
    customer_id: str = Field(sa_column=_fk("customers.id"))
    number: str = Field(max_length=64)
    sequential_id: int
    organization_sequential_id: int
    invoice_type: str = Field(default=InvoiceType.ONE_OFF, max_length=32)
    status: str = Field(default=InvoiceStatus.FINALIZED, max_length=32)
    payment_status: str = Field(max_length=32)
    currency: str = Field(max_length=3)
    issuing_date: date
    payment_due_date: date
    net_payment_term: int
    fees_amount_cents: int = Field(sa_type=BigInteger)
    coupons_amount_cents: int = Field(default=0, sa_type=BigInteger)
    prepaid_credit_amount_cents: int = Field(default=0, sa_type=BigInteger)
    sub_total_excluding_taxes_amount_cents: int = Field(sa_type=BigInteger)
    taxes_amount_cents: int = Field(sa_type=BigInteger)
    sub_total_including_taxes_amount_cents: int = Field(sa_type=BigInteger)
    total_amount_cents: int = Field(sa_type=BigInteger)
    idempotency_key: str | None = Field(default=None, max_length=255)
    # Hash of the normalised request: a replayed key must carry the same input.
    request_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class Fee(SQLModel, table=True):
    __tablename__ = "fees"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    organization_id: str = Field(sa_column=_fk("organizations.id", index=False))
    invoice_id: str = Field(sa_column=_fk("invoices.id"))
    add_on_id: str = Field(sa_column=_fk("add_ons.id"))
    position: int
    units: Decimal = Field(sa_type=ExactDecimal)
    unit_amount_cents: Decimal = Field(sa_type=ExactDecimal)
    precise_amount_cents: Decimal = Field(sa_type=ExactDecimal)
    amount_cents: int = Field(sa_type=BigInteger)
    taxes_amount_cents: int = Field(sa_type=BigInteger)
    total_amount_cents: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    description: str | None = Field(default=None, max_length=1000)
    invoice_display_name: str | None = Field(default=None, max_length=255)
    # The name printed on the invoice, frozen when it was issued.
    invoice_name: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FeeAppliedTax(SQLModel, table=True):
    __tablename__ = "fee_applied_taxes"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    fee_id: str = Field(sa_column=_fk("fees.id"))
    invoice_id: str = Field(sa_column=_fk("invoices.id"))
    tax_id: str = Field(sa_column=_fk("taxes.id", index=False))
    position: int
    tax_code: str = Field(max_length=255)
    tax_name: str = Field(max_length=255)
    tax_rate: Decimal = Field(sa_type=ExactDecimal)
    amount_cents: int = Field(sa_type=BigInteger)


class InvoiceAppliedTax(SQLModel, table=True):
    __tablename__ = "invoice_applied_taxes"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=36)
    invoice_id: str = Field(sa_column=_fk("invoices.id"))
    tax_id: str = Field(sa_column=_fk("taxes.id", index=False))
    position: int
    tax_code: str = Field(max_length=255)
    tax_name: str = Field(max_length=255)
    tax_rate: Decimal = Field(sa_type=ExactDecimal)
    taxable_base_amount_cents: int = Field(sa_type=BigInteger)
    amount_cents: int = Field(sa_type=BigInteger)
