from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
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
        # The daily filters of a page (models/invoicing/filters.py), each in page order: the
        # unpaid (or paid, failed) ones, the voided ones, and a range of issuing dates.
        Index(
            "ix_invoices_payment_status_page",
            "organization_id",
            "payment_status",
            "created_at",
            "id",
        ),
        Index("ix_invoices_status_page", "organization_id", "status", "created_at", "id"),
        Index("ix_invoices_issuing_date", "organization_id", "issuing_date"),
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
    # When it turns overdue if unpaid: the start of the day after its due date, in the
    # timezone its dates are counted in. Null for invoices issued before it was kept.
    payment_overdue_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    net_payment_term: int
    fees_amount_cents: int = Field(sa_type=BigInteger)
    coupons_amount_cents: int = Field(default=0, sa_type=BigInteger)
    prepaid_credit_amount_cents: int = Field(default=0, sa_type=BigInteger)
    sub_total_excluding_taxes_amount_cents: int = Field(sa_type=BigInteger)
    taxes_amount_cents: int = Field(sa_type=BigInteger)
    sub_total_including_taxes_amount_cents: int = Field(sa_type=BigInteger)
    total_amount_cents: int = Field(sa_type=BigInteger)
    idempotency_key: str | None = Field(default=None, max_length=255)
    purchase_order_number: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, max_length=1000)
    # The organization's invoice footer (legal mentions) as it was at issue.
    footer: str | None = Field(default=None, max_length=1000)
    # Hash of the normalised request: a replayed key must carry the same input.
    request_fingerprint: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # When updateInvoicePaymentStatus last changed payment_status; None since issue.
    payment_status_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Seller, buyer and locale as they were at issue: the document prints these, whatever
    # changes later (models/documents).
    parties: dict[str, object] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # The integrator's own key/value strings (models/inputs/metadata.py); null when none.
    # Not `metadata`: SQLModel's classes already have one.
    invoice_metadata: dict[str, str] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


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
    # The period of service billed, both ends or neither.
    from_datetime: datetime | None = Field(default=None, sa_type=UTCDateTime)
    to_datetime: datetime | None = Field(default=None, sa_type=UTCDateTime)


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
    tax_category: str = Field(default="S", max_length=2, sa_column_kwargs={"server_default": "S"})
    tax_exemption_reason: str | None = Field(default=None, max_length=1000)
    tax_exemption_reason_code: str | None = Field(default=None, max_length=40)
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
    tax_category: str = Field(default="S", max_length=2, sa_column_kwargs={"server_default": "S"})
    tax_exemption_reason: str | None = Field(default=None, max_length=1000)
    tax_exemption_reason_code: str | None = Field(default=None, max_length=40)
    taxable_base_amount_cents: int = Field(sa_type=BigInteger)
    amount_cents: int = Field(sa_type=BigInteger)


class InvoiceDocument(SQLModel, table=True):
    """An invoice's document as first rendered: served as stored from then on, so that a
    later change of template or library never changes a document already sent."""

    __tablename__ = "invoice_documents"

    invoice_id: str = Field(
        sa_column=Column(String(36), ForeignKey("invoices.id"), primary_key=True)
    )
    # "issued", or "voided" for the document that says VOID.
    variant: str = Field(primary_key=True, max_length=16)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
